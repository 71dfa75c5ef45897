namespace GpuMF.Data;

/// <summary>
/// Interaction triples as read from a file: external user and item ids and a value (a rating, a count,
/// or 1 for a bare positive), held in three arrays (a 64-bit user id, a 64-bit item id and a 32-bit value:
/// 20 bytes a row), and optionally a fourth of 64-bit timestamps (<see cref="HasTimes"/>, 8 bytes a row more).
/// A column of string ids holds in its 64-bit slots the index of each string in <see cref="UserNames"/> or
/// <see cref="ItemNames"/>, which hold each distinct string once, so that string ids cost memory in proportion
/// to the distinct ids, not to the rows. Growable up to <see cref="Array.MaxLength"/> rows; the arrays may be
/// longer than <see cref="Count"/>.
/// </summary>
public sealed class RatingTable
{
    private long[] _users;
    private long[] _items;
    private float[] _values;
    private long[]? _times;

    /// <summary>
    /// True while the user and item arrays may be shared with another table (see <see cref="Positives"/>): rows
    /// below <see cref="Count"/> are never written, and the first <see cref="Add(long, long, float)"/> into room left copies them first.
    /// </summary>
    private bool _shared;

    /// <summary>Creates an empty table of integer ids, without times, with room for <paramref name="capacity"/> rows (default 1024, at least 16).</summary>
    public RatingTable(int capacity = 1024)
        : this(IdKind.Numeric, IdKind.Numeric, capacity)
    {
    }

    /// <summary>Creates an empty table whose id columns hold ids of the kinds given.</summary>
    /// <param name="users">What the user column holds.</param>
    /// <param name="items">What the item column holds.</param>
    /// <param name="capacity">Rows to make room for (default 1024, at least 16).</param>
    /// <param name="times">True to keep a timestamp a row (<see cref="HasTimes"/>; default false).</param>
    public RatingTable(IdKind users, IdKind items, int capacity = 1024, bool times = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _users = new long[Math.Max(capacity, 16)];
        _items = new long[_users.Length];
        _values = new float[_users.Length];
        _times = times ? new long[_users.Length] : null;
        UserNames = users == IdKind.Text ? new IdMap(IdKind.Text) : null;
        ItemNames = items == IdKind.Text ? new IdMap(IdKind.Text) : null;
    }

    private RatingTable(long[] users, long[] items, float[] values, long[]? times, int count, IdMap? userNames, IdMap? itemNames)
    {
        _users = users;
        _items = items;
        _values = values;
        _times = times;
        Count = count;
        UserNames = userNames;
        ItemNames = itemNames;
    }

    /// <summary>
    /// The distinct user ids of a column of strings, in order of first appearance; the user column holds indices
    /// into it. Null for a column of integer ids. Tables made from this one (<see cref="Select"/>, <see cref="Positives"/>)
    /// share it, so it may hold strings that no row of such a table uses.
    /// </summary>
    public IdMap? UserNames { get; private set; }

    /// <summary>The item counterpart of <see cref="UserNames"/>.</summary>
    public IdMap? ItemNames { get; private set; }

    /// <summary>What the user column holds.</summary>
    public IdKind UserKind => UserNames is null ? IdKind.Numeric : IdKind.Text;

    /// <summary>What the item column holds.</summary>
    public IdKind ItemKind => ItemNames is null ? IdKind.Numeric : IdKind.Text;

    /// <summary>True when the table keeps a timestamp a row (<see cref="Times"/>).</summary>
    public bool HasTimes => _times is not null;

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

    /// <summary>Timestamps (as the file gave them: seconds since 1970 for MovieLens), first <see cref="Count"/> entries valid; empty when <see cref="HasTimes"/> is false.</summary>
    public ReadOnlySpan<long> Times => _times is null ? default : _times.AsSpan(0, Count);

    /// <summary>The user id of row <paramref name="row"/> as text: the string, or the integer in invariant decimal.</summary>
    public string UserText(int row) => Text(UserNames, Users[row]);

    /// <summary>The item id of row <paramref name="row"/> as text: the string, or the integer in invariant decimal.</summary>
    public string ItemText(int row) => Text(ItemNames, Items[row]);

    private static string Text(IdMap? names, long slot) =>
        names is null ? slot.ToString(System.Globalization.CultureInfo.InvariantCulture) : names.Text((int)slot);

    /// <summary>
    /// Makes a column hold string ids from now on, while it holds no row yet: for a reader that learns the kind
    /// from the first row. A column that already holds strings is left as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table already holds rows.</exception>
    internal void UseNames(bool users, bool items)
    {
        if (Count > 0 && ((users && UserNames is null) || (items && ItemNames is null)))
        {
            throw new InvalidOperationException("The id kind of a column can change only while the table is empty.");
        }
        if (users)
        {
            UserNames ??= new IdMap(IdKind.Text);
        }
        if (items)
        {
            ItemNames ??= new IdMap(IdKind.Text);
        }
    }

    /// <summary>Appends one row of string ids, each interned in <see cref="UserNames"/> and <see cref="ItemNames"/>.</summary>
    /// <exception cref="InvalidOperationException">A column holds integer ids, or the table is full.</exception>
    public void Add(string user, string item, float value)
    {
        var users = UserNames ?? throw new InvalidOperationException("The user column holds integer ids.");
        var items = ItemNames ?? throw new InvalidOperationException("The item column holds integer ids.");
        Add(users.GetOrAdd(user), items.GetOrAdd(item), value);
    }

    /// <summary>Appends one row with its timestamp.</summary>
    /// <exception cref="InvalidOperationException">The table keeps no times, or already holds <see cref="Array.MaxLength"/> rows.</exception>
    public void Add(long user, long item, float value, long time)
    {
        if (_times is null)
        {
            throw new InvalidOperationException("This table keeps no timestamps: create it with times: true.");
        }
        Add(user, item, value);
        _times[Count - 1] = time;
    }

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
            Unshare();
        }
        _users[Count] = user;
        _items[Count] = item;
        _values[Count] = value;
        Count++;
    }

    /// <summary>The other table's next row would land in the same slot: this one takes copies.</summary>
    private void Unshare()
    {
        _users = (long[])_users.Clone();
        _items = (long[])_items.Clone();
        _times = (long[]?)_times?.Clone();
        _shared = false;
    }

    /// <summary>
    /// Appends <paramref name="rows"/> rows whose columns the caller then fills in place, in the arrays returned
    /// from <c>Start</c> on (<c>Times</c> null when the table keeps none): a reader that decodes whole columns
    /// straight into the table. Until they are filled the rows hold whatever the arrays held.
    /// </summary>
    /// <exception cref="InvalidOperationException">The rows would take the table beyond <see cref="Array.MaxLength"/>.</exception>
    internal (long[] Users, long[] Items, float[] Values, long[]? Times, int Start) AppendInPlace(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        long needed = Count + (long)rows;
        if (needed > _users.Length)
        {
            Resize(GrownCapacity(_users.Length, needed));
        }
        else if (_shared)
        {
            Unshare();
        }
        int start = Count;
        Count += rows;
        return (_users, _items, _values, _times, start);
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
    /// a time as it is copied, so that no more than one column is held twice. The parts share their string ids
    /// and keep times alike (made with <see cref="EmptyLike"/>); the first part's are the result's.
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
        }
        long[]? times = null;
        if (parts.Count > 0 && parts[0]._times is not null)
        {
            times = GC.AllocateUninitializedArray<long>((int)total);
            at = 0;
            foreach (var p in parts)
            {
                p.Times.CopyTo(times.AsSpan(at));
                p._times = [];
                at += p.Count;
            }
        }
        foreach (var p in parts)
        {
            p.Count = 0;
        }
        return parts.Count == 0
            ? new RatingTable()
            : new RatingTable(users, items, values, times, (int)total, parts[0].UserNames, parts[0].ItemNames);
    }

    /// <summary>
    /// An empty table with room for <paramref name="capacity"/> rows that shares this one's string ids and keeps
    /// times when it does: a chunk of the same data, to be joined by <see cref="Concat"/>.
    /// </summary>
    internal RatingTable EmptyLike(int capacity) =>
        new(new long[Math.Max(capacity, 16)], new long[Math.Max(capacity, 16)], new float[Math.Max(capacity, 16)],
            _times is null ? null : new long[Math.Max(capacity, 16)], 0, UserNames, ItemNames);

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
        if (_times is not null)
        {
            Array.Resize(ref _times, size);
        }
        _shared = false;
    }

    /// <summary>A new table holding the rows at <paramref name="rows"/>, in that order.</summary>
    public RatingTable Select(ReadOnlySpan<int> rows)
    {
        var result = new RatingTable(rows.Length) { UserNames = UserNames, ItemNames = ItemNames };
        if (_times is not null)
        {
            result._times = new long[result.Capacity];
        }
        foreach (int r in rows)
        {
            result.Add(_users[r], _items[r], _values[r]);
            if (_times is not null)
            {
                result._times![result.Count - 1] = _times[r];
            }
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
            return new RatingTable(_users, _items, ones, _times, Count, UserNames, ItemNames) { _shared = true };
        }
        var result = new RatingTable(kept) { UserNames = UserNames, ItemNames = ItemNames };
        if (_times is not null)
        {
            result._times = new long[result.Capacity];
        }
        for (int r = 0; r < Count; r++)
        {
            if (_values[r] >= minValue)
            {
                result.Add(_users[r], _items[r], 1f);
                if (_times is not null)
                {
                    result._times![result.Count - 1] = _times[r];
                }
            }
        }
        return result;
    }
}
