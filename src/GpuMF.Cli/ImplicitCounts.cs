using System.Runtime.InteropServices;
using GpuMF.Data;

namespace GpuMF.Cli;

/// <summary>
/// The value column read as counts (plays, clicks) for als with <c>--confidence</c>: the rows kept keep their
/// values, which the confidence scaling turns into weights, instead of becoming positives of value 1.
/// </summary>
internal static class ImplicitCounts
{
    /// <summary>
    /// The rows of <paramref name="table"/> whose value is at least <paramref name="minValue"/> and above 0, values
    /// and times kept; the table itself when every row is kept. A count of 0 or less is no interaction (and has no
    /// confidence), so such rows are left out, and counted on stderr.
    /// </summary>
    /// <exception cref="UsageException">Every value of <paramref name="path"/> is 0 or less.</exception>
    public static RatingTable Keep(RatingTable table, float minValue, string path)
    {
        var rows = new List<int>(table.Count);
        int nonPositive = 0;
        var values = table.Values;
        for (int r = 0; r < table.Count; r++)
        {
            if (values[r] <= 0)
            {
                nonPositive++;
            }
            else if (values[r] >= minValue)
            {
                rows.Add(r);
            }
        }
        if (nonPositive == table.Count && table.Count > 0)
        {
            throw new UsageException($"{path}: every value is 0 or less, and als with --confidence reads the value column as counts; drop --confidence to read every row as a positive of value 1.");
        }
        if (nonPositive > 0)
        {
            Console.Error.WriteLine($"{path}: {nonPositive:N0} row{(nonPositive == 1 ? "" : "s")} with a value of 0 or less left out (als with --confidence reads the value column as counts)");
        }
        return rows.Count == table.Count ? table : table.Select(CollectionsMarshal.AsSpan(rows));
    }
}
