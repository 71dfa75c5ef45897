using System.Globalization;
using System.Text.Json.Nodes;
using GpuMF.Mpi;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf score</c> under mpirun: each rank scores a contiguous range of the users and writes its own part beside
/// <c>--out</c>, and rank 0, once every rank has written its part, writes a manifest naming the parts in rank order.
/// Parts rather than one file gathered on rank 0: the ranks' rows never travel to one machine, each part is a whole
/// CSV or Parquet file that readers take as they are (a folder of parts, as Spark writes), and a job stopped part-way
/// leaves no manifest.
/// </summary>
internal static class ScoreParts
{
    /// <summary>Rank <paramref name="rank"/>'s part of <paramref name="output"/>: <c>top10.part00001-of-00003.parquet</c>.</summary>
    public static string PartPath(string output, int rank, int ranks)
    {
        string extension = Path.GetExtension(output);
        string stem = output[..^extension.Length];
        return string.Create(CultureInfo.InvariantCulture, $"{stem}.part{rank:D5}-of-{ranks:D5}{extension}");
    }

    /// <summary>The manifest of <paramref name="output"/>'s parts: <c>OUT.manifest.json</c>.</summary>
    public static string ManifestPath(string output) => output + ".manifest.json";

    /// <summary>
    /// Sums every rank's counts (the slowest rank's time) and, on rank 0, writes the manifest: the parts in rank order
    /// with their users and rows. Returns the job's totals.
    /// </summary>
    public static BatchResult Gather(MpiCommunicator communicator, string output, string format, BatchResult mine)
    {
        int size = communicator.Size;
        var counts = new double[3 * size];
        counts[3 * communicator.Rank] = mine.Queries;
        counts[(3 * communicator.Rank) + 1] = mine.Rows;
        counts[(3 * communicator.Rank) + 2] = mine.Skipped;
        var seconds = new double[size];
        seconds[communicator.Rank] = mine.Seconds;
        communicator.SumInPlace(counts);
        communicator.SumInPlace(seconds);
        var total = new BatchResult(0, 0, 0, seconds.Max());
        var parts = new JsonArray();
        for (int r = 0; r < size; r++)
        {
            total = total with { Queries = total.Queries + (long)counts[3 * r], Rows = total.Rows + (long)counts[(3 * r) + 1], Skipped = total.Skipped + (long)counts[(3 * r) + 2] };
            parts.Add(new JsonObject
            {
                ["file"] = Path.GetFileName(PartPath(output, r, size)),
                ["users"] = (long)counts[3 * r],
                ["rows"] = (long)counts[(3 * r) + 1],
            });
        }
        if (communicator.Rank == 0)
        {
            var manifest = new JsonObject
            {
                ["format"] = format,
                ["columns"] = new JsonArray("user", "rank", "item", "score"),
                ["ranks"] = size,
                ["users"] = total.Queries,
                ["rows"] = total.Rows,
                ["skipped_unknown"] = total.Skipped,
                ["parts"] = parts,
            };
            var text = JsonText.FileBytes(manifest);
            AtomicFile.Write(ManifestPath(output), stream => stream.Write(text));
        }
        return total;
    }
}
