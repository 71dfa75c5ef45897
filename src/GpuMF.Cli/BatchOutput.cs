using System.CommandLine;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// What <c>score</c> and <c>similar</c> share when they score many queries: the options of the output, the item
/// filter and the query list, and the job itself. Queries stream through in chunks, so that memory stays flat
/// whatever their number; a file output is written through <see cref="AtomicFile"/> (a temporary file renamed
/// into place once the job has finished; links, file modes and devices such as /dev/null kept), standard
/// output (<c>--out -</c>) directly.
/// </summary>
internal sealed class BatchOutput
{
    /// <summary>Queries per chunk unless --chunk says otherwise.</summary>
    private const int DefaultChunk = 8192;

    /// <summary>Result rows a chunk may hold; large N gets smaller chunks.</summary>
    private const int RowsPerChunk = 1 << 20;

    private static readonly string[] Formats = ["csv", "parquet"];

    /// <summary>Adds the output, filter and chunk options to <paramref name="command"/>.</summary>
    public BatchOutput(Command command, bool outRequired)
    {
        Out = Opt.Text("--out", "FILE", "where the rows go: a .csv or .parquet file, or - for CSV on standard output" + (outRequired ? "" : " (default: standard output)"), outRequired, "-o");
        Format = Opt.Choice("--format", "the output's format (default: from --out's extension; csv for -)", Formats, null);
        Allow = Opt.Text("--allow", "FILE", "score only the items listed (one id a line, or comma-separated ids)", false);
        Deny = Opt.Text("--deny", "FILE", "never return the items listed (one id a line, or comma-separated ids)", false);
        SkipUnknown = Opt.Flag("--skip-unknown", "leave out ids the model does not know, and count them, rather than stop");
        Chunk = Opt.Int("--chunk", "queries scored at a time (fewer for large N)", DefaultChunk, 1, 1 << 24);
        foreach (var option in (Option[])[Out, Format, Allow, Deny, SkipUnknown, Chunk])
        {
            command.Options.Add(option);
        }
    }

    public Option<string> Out { get; }

    public Option<string> Format { get; }

    public Option<string> Allow { get; }

    public Option<string> Deny { get; }

    public Option<bool> SkipUnknown { get; }

    public Option<int> Chunk { get; }

    /// <summary>The output (standard output when not given) and its format, checked before any work.</summary>
    /// <exception cref="UsageException">The format cannot be told, the file cannot be written, or it is one of <paramref name="inputs"/>.</exception>
    public (string Path, string Format) CheckOutput(ParseResult parse, params (string Option, string? Path)[] inputs)
    {
        if (parse.GetValue(Allow) is not null && parse.GetValue(Deny) is not null)
        {
            throw new UsageException("give --allow or --deny, not both.");
        }
        foreach (var list in (Option<string>[])[Allow, Deny])
        {
            if (parse.GetValue(list) is { } spec)
            {
                QueryIdReader.CheckInline(spec, "item", list.Name);
            }
        }
        string output = parse.GetValue(Out) ?? OutputPaths.StandardOutput;
        string format = parse.GetValue(Format) ?? Path.GetExtension(output).ToLowerInvariant() switch
        {
            ".csv" => "csv",
            ".parquet" => "parquet",
            // Standard output, /dev/null, a pipe: no name to tell the format by, so the plain one.
            _ when output == OutputPaths.StandardOutput || OutputPaths.IsStream(output) => "csv",
            _ => throw new UsageException($"--out {output}: the file name must end in .csv or .parquet, or --format must say which."),
        };
        if (output != OutputPaths.StandardOutput)
        {
            OutputPaths.CheckFile(output, "--out");
            OutputPaths.Distinct(1, [("--out", output), .. inputs, ("--allow", parse.GetValue(Allow)), ("--deny", parse.GetValue(Deny))]);
        }
        return (output, format);
    }

    /// <summary>The allow- or deny-list given, or null; reported on stderr against the model's items, its ids read as the model's item ids are.</summary>
    public ItemFilter? ReadFilter(ParseResult parse, FactorModel model)
    {
        string? allow = parse.GetValue(Allow);
        string? path = allow ?? parse.GetValue(Deny);
        if (path is null)
        {
            return null;
        }
        using var list = QueryIdReader.Parse(path, model.Items, "item", allow is null ? "--deny" : "--allow", skipUnknown: false, allowAll: false);
        var filter = allow is not null ? ItemFilter.Allow(list.AllTexts()) : ItemFilter.Deny(list.AllTexts());
        int unknown = filter.CountUnknown(model.Items);
        Console.Error.WriteLine($"{(filter.IsAllowList ? "allow" : "deny")}-list of {filter.Names.Count:N0} items{(unknown > 0 ? $" ({unknown:N0} unknown to the model, ignored)" : "")}");
        return filter;
    }

    /// <summary>
    /// Scores every query and writes the rows to <paramref name="output"/> in <paramref name="format"/>; a file
    /// appears only once complete, and the one that was there stays until then (and on any failure).
    /// <paramref name="titles"/> gives the title of a dense result index for a title column; null for none.
    /// </summary>
    public BatchResult Write(ParseResult parse, BatchScorer scorer, QueryIdReader queries, int n, string output, string format, string queryColumn, string resultColumn, Func<int, string>? titles, CancellationToken cancellation)
    {
        var progress = new ScoreProgress(queries.Total, queryColumn + "s");
        int chunk = Math.Max(1, Math.Min(parse.GetValue(Chunk), RowsPerChunk / n));
        (long Done, long Rows) counts = default;
        void WriteTo(Stream stream)
        {
            using IRankedRowsWriter writer = format == "parquet"
                ? ParquetRankedRowsWriter.Create(stream, queryColumn, resultColumn, scorer.Queries, scorer.Results, titles)
                : CsvRankedRowsWriter.Create(stream, queryColumn, resultColumn, titles);
            long done = 0;
            long rows = 0;
            scorer.ScoreIndexChunks(queries.Chunks(chunk), n, lists =>
            {
                cancellation.ThrowIfCancellationRequested();
                writer.Write(lists);
                done += lists.Count;
                rows += lists.TotalEntries;
                progress.Report(done, rows);
            });
            writer.Complete();
            counts = (done, rows);
        }
        OutputPaths.Write(output, WriteTo);
        progress.Finish(counts.Done, counts.Rows);
        if (queries.Skipped > 0)
        {
            Console.Error.WriteLine($"left out {queries.Skipped:N0} unknown {queryColumn} ids");
        }
        return new BatchResult(counts.Done, counts.Rows, queries.Skipped, progress.Elapsed.TotalSeconds);
    }
}

/// <summary>Titles of MovieLens items for the ids of a model of either kind: an id that is no integer has no MovieLens title.</summary>
internal static class CatalogTitles
{
    /// <summary>The title of the item written <paramref name="id"/>, or "item ID" when the catalogue has none.</summary>
    public static string Of(MovieCatalog catalog, string id) =>
        long.TryParse(id, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long number) ? catalog.Title(number) : $"item {id}";

    /// <summary>The titles of the dense indices of <paramref name="items"/>.</summary>
    public static Func<int, string> Of(MovieCatalog catalog, IdMap items) =>
        items.Kind == IdKind.Numeric ? i => catalog.Title(items[i]) : i => Of(catalog, items.Names[i]);
}

/// <summary>What a scoring job did.</summary>
/// <param name="Queries">Queries scored.</param>
/// <param name="Rows">Rows written.</param>
/// <param name="Skipped">Unknown ids left out.</param>
/// <param name="Seconds">Time from the first query to the last row.</param>
internal sealed record BatchResult(long Queries, long Rows, long Skipped, double Seconds);
