namespace GpuMF.Data;

/// <summary>
/// Interaction triples as read from a file: external user and item ids and a value (a rating, a count,
/// or 1 for a bare positive), held in three arrays (a 64-bit user id, a 64-bit item id and a 32-bit value:
/// 20 bytes a row). Growable up to <see cref="Array.MaxLength"/> rows; the arrays may be longer than <see cref="Count"/>.
/// </summary>
public sealed class RatingTable
{
    private long[] _users;
    private long[] _items;
    private float[] _values;

    /// <summary>
    /// True while the user and item arrays may be shared with another table (see <see cref="Positives"/>): rows
    /// below <see cref="Count"/> are never written, and the first <see cref="Add"/> into room left copies them first.
    /// </summary>
    private bool _shared;

    /// <summary>Creates an empty table with room for <paramref name="capacity"/> rows (default 1024, at least 16).</summary>
    public RatingTable(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _users = new long[Math.Max(capacity, 16)];
        _items = new long[_users.Length];
        _values = new float[_users.Length];
    }

    private RatingTable(long[] users, long[] items, float[] values, int count)
    {
        _users = users;
        _items = items;
        _values = values;
        Count = count;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; private set; }

    /// <summary>Rows the table holds before its arrays grow.</summary>
    public int Capacity => _users.Length;

    /// <summary>External user ids, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<long> Users => _users.AsSpan(0, Count);

    /// <summary>External item ids, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<long> Items => _items.AsSpan(0, Count);

    /// <summary>Values, first <see cref="Count"/> entries valid.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, Count);

    /// <summary>Appends one row; a full table grows by half its capacity.</summary>
    /// <exception cref="InvalidOperationException">The table already holds <see cref="Array.MaxLength"/> rows.</exception>
    public void Add(long user, long item, float value)
    {
        if (Count == _users.Length)
        {
            Resize(GrownCapacity(_users.Length, Count + 1L));
        }
        else if (_shared)
        {
            // The other table's next row would land in the same slot.
            _users = (long[])_users.Clone();
            _items = (long[])_items.Clone();
            _shared = false;
        }
        _users[Count] = user;
        _items[Count] = item;
        _values[Count] = value;
        Count++;
    }

    /// <summary>Makes room for <paramref name="capacity"/> rows in all, exactly, when there is less.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="capacity"/> is beyond <see cref="Array.MaxLength"/>.</exception>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _users.Length)
        {
            CheckFits(capacity);
            Resize(capacity);
        }
    }

    /// <summary>
    /// Shrinks the arrays to <see cref="Count"/> rows (at least 16) when more than 1/32 of them is unused; less
    /// slack is not worth the copy.
    /// </summary>
    public void TrimExcess()
    {
        int size = Math.Max(Count, 16);
        if (_users.Length - size > _users.Length / 32)
        {
            Resize(size);
        }
    }

    /// <summary>
    /// The capacity after growing from <paramref name="current"/> rows to hold at least <paramref name="needed"/>:
    /// 1.5 × current, at least needed, at most <see cref="Array.MaxLength"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="needed"/> is beyond <see cref="Array.MaxLength"/>.</exception>
    internal static int GrownCapacity(long current, long needed)
    {
        CheckFits(needed);
        return (int)Math.Clamp(current + current / 2, needed, Array.MaxLength);
    }

    /// <summary>
    /// One table of exactly the rows of <paramref name="parts"/>, in order. The parts are emptied a column at
    /// a time as it is copied, so that no more than one column is held twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">The parts hold more than <see cref="Array.MaxLength"/> rows in all.</exception>
    internal static RatingTable Concat(IReadOnlyList<RatingTable> parts)
    {
        long total = parts.Sum(p => (long)p.Count);
        CheckFits(total);
        var users = GC.AllocateUninitializedArray<long>((int)total);
        int at = 0;
        foreach (var p in parts)
        {
            p.Users.CopyTo(users.AsSpan(at));
            p._users = [];
            at += p.Count;
        }
        var items = GC.AllocateUninitializedArray<long>((int)total);
        at = 0;
        foreach (var p in parts)
        {
            p.Items.CopyTo(items.AsSpan(at));
            p._items = [];
            at += p.Count;
        }
        var values = GC.AllocateUninitializedArray<float>((int)total);
        at = 0;
        foreach (var p in parts)
        {
            p.Values.CopyTo(values.AsSpan(at));
            p._values = [];
            at += p.Count;
            p.Count = 0;
        }
        return new RatingTable(users, items, values, (int)total);
    }

    /// <summary>Checks that <paramref name="rows"/> rows fit in the arrays of one table.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="rows"/> is beyond <see cref="Array.MaxLength"/>.</exception>
    internal static void CheckFits(long rows)
    {
        if (rows > Array.MaxLength)
        {
            throw new InvalidOperationException($"A rating table holds at most {Array.MaxLength} rows; {rows} do not fit. Split the input.");
        }
    }

    /// <summary>
    /// One array at a time, so that while growing the old and new copies of only one of them are alive
    /// beside the other two. Every caller changes the size, so the arrays are new ones, shared with no table.
    /// </summary>
    private void Resize(int size)
    {
        Array.Resize(ref _users, size);
        Array.Resize(ref _items, size);
        Array.Resize(ref _values, size);
        _shared = false;
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
    /// value 1: explicit ratings read as implicit feedback (MovieLens ratings ≥ 4, for instance). When every row
    /// passes (the usual case, with no threshold), the new table shares this one's user and item arrays, so it
    /// costs 4 bytes a row rather than 20; adding rows to either table afterwards leaves the other as it was.
    /// </summary>
    public RatingTable Positives(float minValue = float.NegativeInfinity)
    {
        int kept = 0;
        for (int r = 0; r < Count; r++)
        {
            if (_values[r] >= minValue)
            {
                kept++;
            }
        }
        if (kept == Count)
        {
            var ones = new float[_users.Length];
            ones.AsSpan(0, Count).Fill(1f);
            _shared = true;
            return new RatingTable(_users, _items, ones, Count) { _shared = true };
        }
        var result = new RatingTable(kept);
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
