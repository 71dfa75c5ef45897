using GpuMF.Models;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// Batch scoring jobs: <c>gpumf score</c> (top-N items of many users) and <c>gpumf similar</c> for many
/// items. Queries stream through in chunks, so memory stays flat whatever their number; the output goes
/// to a temporary file in the target's folder that is renamed into place only when the job has finished.
/// </summary>
internal static class ScoreCommand
{
    /// <summary>Queries per chunk unless --chunk says otherwise.</summary>
    private const int DefaultChunk = 8192;

    /// <summary>Result rows a chunk may hold; large N gets smaller chunks.</summary>
    private const int RowsPerChunk = 1 << 20;

    public static int Score(CommandLine cl, CancellationToken ct)
    {
        string modelPath = cl.Require("model");
        string output = cl.Require("out");
        string users = cl.Get("users") ?? "all";
        int n = cl.Int("n", 10, 1, BatchScorer.MaxN);
        bool includeSeen = cl.Flag("include-seen");
        bool skipUnknown = cl.Flag("skip-unknown");
        int chunk = cl.Int("chunk", DefaultChunk, 1, 1 << 24);
        var filter = ReadFilter(cl);
        var format = OutputFormat(output);
        using var backend = ModelSetup.OpenBackend(cl);
        cl.RejectUnknown();
        var model = FactorModel.Load(modelPath);
        using var queries = QueryIdReader.Parse(users, model.Users, "user", skipUnknown);
        ReportFilter(filter, model);
        Console.Error.WriteLine($"{modelPath}: {model.Kind}, {model.Users.Count:N0} users × {model.Items.Count:N0} items, {model.Factors} factors; top {n} on {backend}{(includeSeen ? "" : ", seen items left out")}");
        using var scorer = BatchScorer.ForRecommendations(model, backend, !includeSeen, filter);
        Run(scorer, queries, n, chunk, output, format, "user", "item", ct);
        return 0;
    }

    /// <summary>
    /// <c>gpumf similar</c>: one item (<c>--item</c>, printed as a table) or, given <c>--items</c> or any of
    /// the output or filter options, many, written as CSV to stdout or to a CSV/Parquet file like <c>score</c>.
    /// </summary>
    public static int Similar(CommandLine cl, CancellationToken ct)
    {
        bool batch = false;
        foreach (string option in (string[])["items", "out", "allow", "deny", "skip-unknown", "chunk"])
        {
            batch |= cl.Has(option);
        }
        if (!batch)
        {
            return Commands.Similar(cl);
        }
        string modelPath = cl.Require("model");
        string items = cl.Get("items") ?? cl.Require("item");
        string? output = cl.Get("out");
        int n = cl.Int("n", 10, 1, BatchScorer.MaxN);
        bool skipUnknown = cl.Flag("skip-unknown");
        int chunk = cl.Int("chunk", DefaultChunk, 1, 1 << 24);
        var filter = ReadFilter(cl);
        var format = output is null ? "csv" : OutputFormat(output);
        using var backend = ModelSetup.OpenBackend(cl);
        cl.RejectUnknown();
        var model = FactorModel.Load(modelPath);
        using var queries = QueryIdReader.Parse(items, model.Items, "item", skipUnknown);
        ReportFilter(filter, model);
        using var scorer = BatchScorer.ForSimilarItems(model, backend, filter);
        if (output is null)
        {
            using var writer = new CsvRankedRowsWriter(Console.Out, ownsOutput: false, "item", "similar");
            Stream(scorer, queries, n, chunk, writer, progress: null, ct);
            writer.Complete();
            return 0;
        }
        Run(scorer, queries, n, chunk, output, format, "item", "similar", ct);
        return 0;
    }

    private static void Run(BatchScorer scorer, QueryIdReader queries, int n, int chunk, string output, string format, string queryColumn, string resultColumn, CancellationToken ct)
    {
        string full = Path.GetFullPath(output);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var progress = new ScoreProgress(queries.Total, queryColumn + "s");
        try
        {
            using (IRankedRowsWriter writer = format == "parquet"
                ? ParquetRankedRowsWriter.Create(temporary, queryColumn, resultColumn)
                : CsvRankedRowsWriter.Create(temporary, queryColumn, resultColumn))
            {
                var (done, rows) = Stream(scorer, queries, n, chunk, writer, progress, ct);
                writer.Complete();
                progress.Finish(done, rows);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        if (queries.Skipped > 0)
        {
            Console.Error.WriteLine($"left out {queries.Skipped:N0} unknown {queryColumn} ids");
        }
        Console.Out.WriteLine($"wrote {output}");
    }

    private static (long Done, long Rows) Stream(BatchScorer scorer, QueryIdReader queries, int n, int chunk, IRankedRowsWriter writer, ScoreProgress? progress, CancellationToken ct)
    {
        long done = 0;
        long rows = 0;
        scorer.ScoreChunks(queries.Chunks(Math.Max(1, Math.Min(chunk, RowsPerChunk / n))), n, lists =>
        {
            ct.ThrowIfCancellationRequested();
            writer.Write(lists);
            done += lists.Count;
            rows += lists.TotalEntries;
            progress?.Report(done, rows);
        });
        return (done, rows);
    }

    private static ItemFilter? ReadFilter(CommandLine cl)
    {
        string? allow = cl.Get("allow");
        string? deny = cl.Get("deny");
        if (allow is not null && deny is not null)
        {
            throw new UsageException("give --allow or --deny, not both.");
        }
        string? path = allow ?? deny;
        if (path is null)
        {
            return null;
        }
        using var list = QueryIdReader.Parse(path, null, "item", skipUnknown: false);
        return allow is not null ? ItemFilter.Allow(list.AllIds()) : ItemFilter.Deny(list.AllIds());
    }

    private static void ReportFilter(ItemFilter? filter, FactorModel model)
    {
        if (filter is null)
        {
            return;
        }
        int unknown = filter.CountUnknown(model.Items);
        Console.Error.WriteLine($"{(filter.IsAllowList ? "allow" : "deny")}-list of {filter.Items.Count:N0} items{(unknown > 0 ? $" ({unknown:N0} unknown to the model, ignored)" : "")}");
    }

    private static string OutputFormat(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".parquet" => "parquet",
        _ => throw new UsageException($"--out {path}: the file name must end in .csv or .parquet."),
    };
}
