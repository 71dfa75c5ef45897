namespace GpuMF.Data;

/// <summary>
/// Interaction triples as read from a file: external user and item ids and a value (a rating, a count,
/// or 1 for a bare positive). Growable; the arrays may be longer than <see cref="Count"/>.
/// </summary>
public sealed class RatingTable
{
    private long[] _users;
    private long[] _items;
    private float[] _values;

    /// <summary>Creates an empty table with room for <paramref name="capacity"/> rows (default 1024).</summary>
    public RatingTable(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _users = new long[Math.Max(capacity, 16)];
        _items = new long[_users.Length];
        _values = new float[_users.Length];
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>External user ids, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<long> Users => _users.AsSpan(0, Count);

    /// <summary>External item ids, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<long> Items => _items.AsSpan(0, Count);

    /// <summary>Values, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, Count);

    /// <summary>Appends one row.</summary>
    public void Add(long user, long item, float value)
    {
        if (Count == _users.Length)
        {
            int size = checked(_users.Length * 2);
            Array.Resize(ref _users, size);
            Array.Resize(ref _items, size);
            Array.Resize(ref _values, size);
        }
        _users[Count] = user;
        _items[Count] = item;
        _values[Count] = value;
        Count++;
    }

    /// <summary>A new table holding the rows at <paramref name="rows"/>, in that order.</summary>
    public RatingTable Select(ReadOnlySpan<int> rows)
    {
        var result = new RatingTable(rows.Length);
        foreach (int r in rows)
        {
            result.Add(_users[r], _items[r], _values[r]);
        }
        return result;
    }

    /// <summary>
    /// A new table of the rows whose value is at least <paramref name="minValue"/>, each as a positive of
    /// value 1: explicit ratings read as implicit feedback (MovieLens ratings ≥ 4, for instance).
    /// </summary>
    public RatingTable Positives(float minValue = float.NegativeInfinity)
    {
        var result = new RatingTable(Count);
        for (int r = 0; r < Count; r++)
        {
            if (_values[r] >= minValue)
            {
                result.Add(_users[r], _items[r], 1f);
            }
        }
        return result;
    }
}
