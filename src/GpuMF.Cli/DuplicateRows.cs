using GpuMF.Data;

namespace GpuMF.Cli;

/// <summary>
/// Rows that repeat a (user, item) pair, merged by the <c>--duplicates</c> policy before training or splitting:
/// <see cref="DuplicatePolicy.Sum"/> adds their values (a positive seen three times counts 3),
/// <see cref="DuplicatePolicy.KeepLast"/> keeps the last value in file order (a re-rating replaces the rating),
/// <see cref="DuplicatePolicy.Reject"/> stops with the pair. The merged row takes the place of the pair's first
/// row, so that the rows and ids of a file without repeats stay exactly as read, in order.
/// </summary>
internal static class DuplicateRows
{
    /// <summary>The table with repeats merged, and how many rows merging removed.</summary>
    /// <param name="table">The rows as read.</param>
    /// <param name="policy">What to do with a repeat.</param>
    /// <param name="source">The file read, for the error of <see cref="DuplicatePolicy.Reject"/>.</param>
    /// <exception cref="DataFormatException">A pair repeats under <see cref="DuplicatePolicy.Reject"/>.</exception>
    public static (RatingTable Table, int Merged) Merge(RatingTable table, DuplicatePolicy policy, string source)
    {
        int n = table.Count;
        var users = new IdMap();
        var items = new IdMap();
        var keys = new long[n];
        var rows = new int[n];
        for (int k = 0; k < n; k++)
        {
            keys[k] = ((long)users.GetOrAdd(table.Users[k]) << 32) | (uint)items.GetOrAdd(table.Items[k]);
            rows[k] = k;
        }
        Array.Sort(keys, rows);
        float[]? values = null;
        long[]? times = null;
        bool[]? dropped = null;
        int merged = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }
            if (end - start > 1)
            {
                MergeGroup(table, policy, source, rows.AsSpan(start, end - start), ref values, ref times, ref dropped);
                merged += end - start - 1;
            }
            start = end;
        }
        if (merged == 0)
        {
            return (table, 0);
        }
        // Alike in string ids and times, so that the kept rows' id slots still index the table's strings.
        var result = table.EmptyLike(n - merged);
        for (int k = 0; k < n; k++)
        {
            if (!dropped![k])
            {
                if (table.HasTimes)
                {
                    result.Add(table.Users[k], table.Items[k], values![k], times![k]);
                }
                else
                {
                    result.Add(table.Users[k], table.Items[k], values![k]);
                }
            }
        }
        return (result, merged);
    }

    /// <summary>Merges the rows of one repeated pair into the first of them, which takes the latest of their times (the pair was last seen then).</summary>
    private static void MergeGroup(RatingTable table, DuplicatePolicy policy, string source, Span<int> rows, ref float[]? values, ref long[]? times, ref bool[]? dropped)
    {
        // The sort by pair is not stable: file order within the pair is restored for "last" and for a sum in file order.
        rows.Sort();
        int first = rows[0];
        if (policy == DuplicatePolicy.Reject)
        {
            throw new DataFormatException(source, 0, $"the pair (user {table.UserText(first)}, item {table.ItemText(first)}) occurs in data rows {first + 1} and {rows[1] + 1} (--duplicates reject); give --duplicates sum or last to merge repeats.");
        }
        values ??= table.Values.ToArray();
        dropped ??= new bool[table.Count];
        float value = table.Values[rows[^1]];
        if (policy == DuplicatePolicy.Sum)
        {
            value = 0;
            foreach (int row in rows)
            {
                value += table.Values[row];
            }
        }
        values[first] = value;
        if (table.HasTimes)
        {
            times ??= table.Times.ToArray();
            foreach (int row in rows)
            {
                times[first] = Math.Max(times[first], table.Times[row]);
            }
        }
        foreach (int row in rows[1..])
        {
            dropped[row] = true;
        }
    }
}
