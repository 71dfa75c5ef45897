using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GpuMF.Data;

/// <summary>
/// A sparse user × item matrix held twice: compressed rows by user (CSR) and compressed rows by item
/// (the transpose), each row's indices ascending. Immutable once built.
/// </summary>
public sealed class InteractionMatrix
{
    private InteractionMatrix(IdMap users, IdMap items, int[] userPtr, int[] userItems, float[] userValues)
    {
        Users = users;
        Items = items;
        UserPtr = userPtr;
        UserItems = userItems;
        UserValues = userValues;
        (ItemPtr, ItemUsers, ItemValues) = Transpose(items.Count, userPtr, userItems, userValues);
    }

    /// <summary>External ↔ dense user ids; <see cref="UserCount"/> is its count.</summary>
    public IdMap Users { get; }

    /// <summary>External ↔ dense item ids; <see cref="ItemCount"/> is its count.</summary>
    public IdMap Items { get; }

    /// <summary>Number of users (rows), including users with no interactions.</summary>
    public int UserCount => UserPtr.Length - 1;

    /// <summary>Number of items (columns), including items with no interactions.</summary>
    public int ItemCount => ItemPtr.Length - 1;

    /// <summary>Number of stored (user, item) pairs.</summary>
    public int Count => UserItems.Length;

    /// <summary>CSR row offsets by user, length UserCount + 1.</summary>
    public int[] UserPtr { get; }

    /// <summary>CSR item index of each entry, ascending within a user.</summary>
    public int[] UserItems { get; }

    /// <summary>CSR value of each entry.</summary>
    public float[] UserValues { get; }

    /// <summary>Transposed offsets by item, length ItemCount + 1.</summary>
    public int[] ItemPtr { get; }

    /// <summary>User index of each transposed entry, ascending within an item.</summary>
    public int[] ItemUsers { get; }

    /// <summary>Value of each transposed entry.</summary>
    public float[] ItemValues { get; }

    /// <summary>The items of dense user <paramref name="user"/>, ascending.</summary>
    public ReadOnlySpan<int> ItemsOf(int user) => UserItems.AsSpan(UserPtr[user], UserPtr[user + 1] - UserPtr[user]);

    /// <summary>The values of dense user <paramref name="user"/>, aligned with <see cref="ItemsOf"/>.</summary>
    public ReadOnlySpan<float> ValuesOf(int user) => UserValues.AsSpan(UserPtr[user], UserPtr[user + 1] - UserPtr[user]);

    /// <summary>The users of dense item <paramref name="item"/>, ascending.</summary>
    public ReadOnlySpan<int> UsersOf(int item) => ItemUsers.AsSpan(ItemPtr[item], ItemPtr[item + 1] - ItemPtr[item]);

    /// <summary>
    /// The SHA-256 of the matrix: its id maps (the ids its rows and columns have) and every stored (user, item,
    /// value) in CSR order. Two matrices with the same fingerprint hold the same data under the same ids.
    /// </summary>
    public byte[] Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> counts = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(counts, UserCount);
        BinaryPrimitives.WriteInt32LittleEndian(counts[4..], ItemCount);
        hash.AppendData(counts);
        HashIds(hash, Users, UserCount);
        HashIds(hash, Items, ItemCount);
        hash.AppendData(MemoryMarshal.AsBytes(UserPtr.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(UserItems.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(UserValues.AsSpan()));
        return hash.GetHashAndReset();
    }

    /// <summary>
    /// The first <paramref name="count"/> ids of <paramref name="map"/>: integers as their 8 bytes (as fingerprints
    /// have always been), strings as a 4-byte UTF-8 length and the bytes, so that no two lists of strings hash alike.
    /// </summary>
    private static void HashIds(IncrementalHash hash, IdMap map, int count)
    {
        if (map.Kind == IdKind.Numeric)
        {
            hash.AppendData(MemoryMarshal.AsBytes(map.IdSpan[..count]));
            return;
        }
        Span<byte> length = stackalloc byte[4];
        foreach (string name in map.NameSpan[..count])
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
    }

    /// <summary>The dense user index of each CSR entry (the row expanded), a new array.</summary>
    public int[] EntryUsers()
    {
        var rows = new int[Count];
        for (int u = 0; u < UserCount; u++)
        {
            rows.AsSpan(UserPtr[u], UserPtr[u + 1] - UserPtr[u]).Fill(u);
        }
        return rows;
    }

    /// <summary>Mean of the stored values (0 for an empty matrix).</summary>
    public double MeanValue()
    {
        double sum = 0;
        foreach (float v in UserValues)
        {
            sum += v;
        }
        return Count == 0 ? 0 : sum / Count;
    }

    /// <summary>
    /// The rows of <paramref name="table"/> whose user and item the maps know, as a matrix in their index space (the
    /// maps unchanged), and the count of rows left out: test rows judged against a trained model.
    /// </summary>
    /// <param name="table">The rows.</param>
    /// <param name="users">The index space's users, not changed.</param>
    /// <param name="items">The index space's items, not changed.</param>
    /// <param name="duplicates">What a repeated pair does (default: the last one stands).</param>
    public static (InteractionMatrix Matrix, int LeftOut) Within(RatingTable table, IdMap users, IdMap items, DuplicatePolicy duplicates = DuplicatePolicy.KeepLast)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        var rows = new List<int>();
        for (int r = 0; r < table.Count; r++)
        {
            if (IdKinds.TryGetIndex(users, table.UserNames, table.Users[r], out _) && IdKinds.TryGetIndex(items, table.ItemNames, table.Items[r], out _))
            {
                rows.Add(r);
            }
        }
        var known = table.Select(rows.ToArray());
        return (Build(known, duplicates, users.ToReadOnly(), items.ToReadOnly()), table.Count - known.Count);
    }

    /// <summary>
    /// Builds the matrix from <paramref name="table"/>. New external ids are appended to
    /// <paramref name="users"/> and <paramref name="items"/> (fresh maps of the table's id kinds when null), so a
    /// test table can share the index space of its training table. A column of integer ids given a map of string
    /// ids is looked up by the integers' decimal text (a test file whose ids all happen to be digits); a column of
    /// string ids given a map of integer ids is an error.
    /// </summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite, a pair repeats under <see cref="DuplicatePolicy.Reject"/>, or a column holds string ids and its map integer ones.</exception>
    public static InteractionMatrix Build(RatingTable table, DuplicatePolicy duplicates = DuplicatePolicy.Reject, IdMap? users = null, IdMap? items = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        users ??= new IdMap(table.UserKind);
        items ??= new IdMap(table.ItemKind);
        var userIndex = new ColumnIndex(table.UserNames, users, "user");
        var itemIndex = new ColumnIndex(table.ItemNames, items, "item");
        int n = table.Count;
        var u = new int[n];
        var i = new int[n];
        ReadOnlySpan<long> extU = table.Users, extI = table.Items;
        ReadOnlySpan<float> vals = table.Values;
        for (int k = 0; k < n; k++)
        {
            if (!float.IsFinite(vals[k]))
            {
                throw new ArgumentException($"Row {k + 1} (user {table.UserText(k)}, item {table.ItemText(k)}) has a non-finite value {vals[k]}.", nameof(table));
            }
            u[k] = userIndex.IndexOf(extU[k]);
            i[k] = itemIndex.IndexOf(extI[k]);
        }
        return FromIndices(users, items, u, i, vals, duplicates);
    }

    /// <summary>
    /// Turns one column's 64-bit slots into indices of its map: integer ids directly, string ids through the
    /// table's names with one lookup per distinct string (the first time a row uses it, so that strings no row
    /// uses never reach the map).
    /// </summary>
    private readonly struct ColumnIndex
    {
        private readonly IdMap? _names;
        private readonly IdMap _map;
        private readonly int[]? _slots;
        private readonly Dictionary<long, int>? _texts;

        public ColumnIndex(IdMap? names, IdMap map, string what)
        {
            _names = names;
            _map = map;
            if (names is not null)
            {
                if (map.Kind != IdKind.Text)
                {
                    throw new ArgumentException($"The table's {what} ids are strings, but the {what} id map given holds integers: build with a map of string ids (or none).", what == "user" ? "users" : "items");
                }
                _slots = new int[names.Count];
                Array.Fill(_slots, -1);
            }
            else if (map.Kind == IdKind.Text)
            {
                _texts = new Dictionary<long, int>(IdComparer.Instance);
            }
        }

        public int IndexOf(long slot)
        {
            if (_slots is not null)
            {
                ref int index = ref _slots[slot];
                if (index < 0)
                {
                    index = _map.GetOrAdd(_names!.Names[(int)slot]);
                }
                return index;
            }
            if (_texts is not null)
            {
                ref int index = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_texts, slot, out bool seen);
                if (!seen)
                {
                    index = _map.GetOrAdd(slot.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                return index;
            }
            return _map.GetOrAdd(slot);
        }
    }

    /// <summary>Builds the matrix from dense indices that are already valid for <paramref name="users"/> and <paramref name="items"/>.</summary>
    public static InteractionMatrix FromIndices(IdMap users, IdMap items, ReadOnlySpan<int> u, ReadOnlySpan<int> i, ReadOnlySpan<float> v, DuplicatePolicy duplicates = DuplicatePolicy.Reject)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        if (u.Length != i.Length || u.Length != v.Length)
        {
            throw new ArgumentException("User, item and value spans differ in length.");
        }
        int rows = users.Count;
        var ptr = new int[rows + 1];
        foreach (int r in u)
        {
            if ((uint)r >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(u), $"User index {r} is outside 0..{rows - 1}.");
            }
            ptr[r + 1]++;
        }
        for (int r = 0; r < rows; r++)
        {
            ptr[r + 1] += ptr[r];
        }
        var fill = ptr[..^1].ToArray();
        var cols = new int[u.Length];
        var values = new float[u.Length];
        for (int k = 0; k < u.Length; k++)
        {
            if ((uint)i[k] >= (uint)items.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(i), $"Item index {i[k]} is outside 0..{items.Count - 1}.");
            }
            int at = fill[u[k]]++;
            cols[at] = i[k];
            values[at] = v[k];
        }
        return Deduplicate(users, items, ptr, cols, values, duplicates);
    }

    private static InteractionMatrix Deduplicate(IdMap users, IdMap items, int[] ptr, int[] cols, float[] values, DuplicatePolicy policy)
    {
        int rows = ptr.Length - 1;
        var kept = new int[rows];
        try
        {
            DeduplicateRows(users, items, ptr, cols, values, policy, kept);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        int total = 0;
        foreach (int k in kept)
        {
            total += k;
        }
        if (total == cols.Length)
        {
            return new InteractionMatrix(users, items, ptr, cols, values);
        }
        var newPtr = new int[rows + 1];
        var newCols = new int[total];
        var newVals = new float[total];
        for (int r = 0; r < rows; r++)
        {
            newPtr[r + 1] = newPtr[r] + kept[r];
            Array.Copy(cols, ptr[r], newCols, newPtr[r], kept[r]);
            Array.Copy(values, ptr[r], newVals, newPtr[r], kept[r]);
        }
        return new InteractionMatrix(users, items, newPtr, newCols, newVals);
    }

    private static void DeduplicateRows(IdMap users, IdMap items, int[] ptr, int[] cols, float[] values, DuplicatePolicy policy, int[] kept) =>
        Parallel.For(0, ptr.Length - 1, r =>
        {
            int start = ptr[r], len = ptr[r + 1] - start;
            if (len == 0)
            {
                return;
            }
            // Sorting (item, position) keys keeps file order among equal items, which KeepLast needs.
            var keys = new long[len];
            var rowVals = values.AsSpan(start, len).ToArray();
            for (int k = 0; k < len; k++)
            {
                keys[k] = ((long)cols[start + k] << 32) | (uint)k;
            }
            Array.Sort(keys);
            int w = 0;
            for (int k = 0; k < len; k++)
            {
                int item = (int)(keys[k] >> 32);
                float val = rowVals[(int)(keys[k] & 0xFFFFFFFF)];
                if (w > 0 && cols[start + w - 1] == item)
                {
                    switch (policy)
                    {
                        case DuplicatePolicy.Sum:
                            values[start + w - 1] += val;
                            continue;
                        case DuplicatePolicy.KeepLast:
                            values[start + w - 1] = val;
                            continue;
                        default:
                            throw new ArgumentException($"The pair (user {users.Text(r)}, item {items.Text(item)}) occurs more than once; choose a duplicate policy (sum or keep-last) to accept repeats.");
                    }
                }
                cols[start + w] = item;
                values[start + w] = val;
                w++;
            }
            kept[r] = w;
        });

    private static (int[] Ptr, int[] Idx, float[] Vals) Transpose(int cols, int[] ptr, int[] idx, float[] vals)
    {
        var tPtr = new int[cols + 1];
        foreach (int c in idx)
        {
            tPtr[c + 1]++;
        }
        for (int c = 0; c < cols; c++)
        {
            tPtr[c + 1] += tPtr[c];
        }
        var fill = tPtr[..^1].ToArray();
        var tIdx = new int[idx.Length];
        var tVals = new float[idx.Length];
        for (int r = 0; r < ptr.Length - 1; r++)
        {
            for (int k = ptr[r]; k < ptr[r + 1]; k++)
            {
                int at = fill[idx[k]]++;
                tIdx[at] = r;
                tVals[at] = vals[k];
            }
        }
        return (tPtr, tIdx, tVals);
    }
}
