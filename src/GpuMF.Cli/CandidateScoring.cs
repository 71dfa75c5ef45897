using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf score --candidates FILE</c>: ranks the items another retrieval system chose for each user (rows user,item)
/// by the model's score, and writes user,rank,item,score rows, users in the order they first appear in the file,
/// each user's candidates best first (ties to the lower dense index, a repeated pair ranked once). Candidates the
/// user had in training are kept unless <c>--exclude-seen</c>. Ids the model does not know are counted and, with
/// <c>--skip-unknown</c>, their pairs left out; without it the first is an error naming the file, the line and the
/// id, and no output is written. The file is read whole (20 bytes a pair, then 8 more for the resolved indices);
/// the lists are ranked and written in chunks.
/// </summary>
internal sealed class CandidateScoring
{
    private static readonly string[] Formats = ["movielens", "tsv", "csv", "whitespace"];

    /// <summary>Adds <c>--candidates</c>, <c>--candidates-format</c> and <c>--exclude-seen</c> to <paramref name="command"/>.</summary>
    public CandidateScoring(Command command)
    {
        Candidates = Opt.Text("--candidates", "FILE", "rank the items listed per user instead of the whole catalogue: a file of user,item rows (further columns ignored); every candidate is written unless --n is given, users in the order they first appear", false);
        Format = Opt.Choice("--candidates-format", "layout of the --candidates file (default: from its extension: .dat movielens, .csv csv, .tsv .data .base .test tsv, .txt whitespace)", Formats, null);
        ExcludeSeen = Opt.Flag("--exclude-seen", "with --candidates: leave out the candidates a user had in training (kept by default)");
        foreach (var option in (Option[])[Candidates, Format, ExcludeSeen])
        {
            command.Options.Add(option);
        }
    }

    public Option<string> Candidates { get; }

    public Option<string> Format { get; }

    public Option<bool> ExcludeSeen { get; }

    /// <summary>True when <c>--candidates</c> is given.</summary>
    /// <exception cref="UsageException">An option that needs <c>--candidates</c> is given without it.</exception>
    public bool Applies(ParseResult parse)
    {
        if (parse.GetValue(Candidates) is not null)
        {
            return true;
        }
        if (new Option[] { Format, ExcludeSeen }.FirstOrDefault(parse.Given) is { } stray)
        {
            throw new UsageException($"{stray.Name} applies only with --candidates FILE.");
        }
        return false;
    }

    /// <summary>Runs the job with the options <c>score</c> shares with it.</summary>
    public int Run(ParseResult parse, Option<string> modelOption, Option<string> usersOption, Option<int> nOption, Option<bool> includeSeenOption, Option<bool> jsonOption, BatchOutput output, BackendArguments backendArguments, CancellationToken cancellation)
    {
        string modelPath = parse.GetValue(modelOption)!;
        string path = parse.GetValue(Candidates)!;
        bool excludeSeen = parse.GetValue(ExcludeSeen);
        int? top = parse.Given(nOption) ? parse.GetValue(nOption) : null;
        bool skipUnknown = parse.GetValue(output.SkipUnknown);
        bool json = parse.GetValue(jsonOption);
        if (parse.Given(usersOption))
        {
            throw new UsageException("give --users or --candidates, not both: the candidate file names the users.");
        }
        if (excludeSeen && parse.GetValue(includeSeenOption))
        {
            throw new UsageException("give --include-seen or --exclude-seen, not both.");
        }
        var (outPath, outFormat) = output.CheckOutput(parse, ("--model", modelPath), ("--candidates", path));
        if (json && outPath == OutputPaths.StandardOutput)
        {
            throw new UsageException("--json and --out - would both write to standard output: give --out a file.");
        }
        var format = FormatOf(parse, path);
        using var backend = backendArguments.Open(parse);
        var clock = Stopwatch.StartNew();
        var model = FactorModel.Load(modelPath);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var table = RatingFileReader.Read(path, format with { ValueColumn = -1 }, cancellation);
        int read = table.Count;
        var pairs = Resolve(table, model, path, format, skipUnknown);
        double readSeconds = clock.Elapsed.TotalSeconds;
        cancellation.ThrowIfCancellationRequested();
        var filter = output.ReadFilter(parse, model);
        string kind = ModelRegistry.Of(model.Kind).Name;
        Console.Error.WriteLine($"{modelPath}: {kind}, {model.Users.Count:N0} users × {model.Items.Count:N0} items, {model.Factors} factors; {Count(pairs.Pairs, "candidate pair")} of {Count(pairs.Lists, "user")} on {BackendArguments.Describe(backend)}{(excludeSeen ? ", seen candidates left out" : "")}{(top is null ? "" : $", best {top} of each")}");
        if (pairs.UnknownPairs > 0)
        {
            Console.Error.WriteLine($"left out {Count(pairs.UnknownPairs, "pair")} naming ids the model does not know ({pairs.UnknownUsers:N0} with an unknown user, {pairs.UnknownItems:N0} with an unknown item)");
        }
        using var scorer = CandidateScorer.Create(model, backend, excludeSeen, filter);
        var progress = new ScoreProgress(pairs.Lists, "users");
        int listsPerChunk = parse.GetValue(output.Chunk);
        (long Done, long Rows, long Seen, long Filtered, long Duplicates) counts = default;
        void WriteTo(Stream stream)
        {
            using IRankedRowsWriter writer = outFormat == "parquet"
                ? ParquetRankedRowsWriter.Create(stream, "user", "item", model.Users, model.Items, null)
                : CsvRankedRowsWriter.Create(stream, "user", "item", null);
            counts = default;
            foreach (var (first, end) in pairs.Chunks(top ?? int.MaxValue, listsPerChunk))
            {
                cancellation.ThrowIfCancellationRequested();
                int from = pairs.Offsets[first];
                var offsets = new int[end - first + 1];
                for (int l = first; l <= end; l++)
                {
                    offsets[l - first] = pairs.Offsets[l] - from;
                }
                var ranked = scorer.Rank(pairs.Users.AsMemory(first, end - first), offsets, pairs.Items.AsMemory(from, pairs.Offsets[end] - from));
                var lists = ranked.ToRankedLists(model, top ?? int.MaxValue);
                writer.Write(lists);
                counts = (counts.Done + lists.Count, counts.Rows + lists.TotalEntries, counts.Seen + ranked.SeenLeftOut, counts.Filtered + ranked.FilteredOut, counts.Duplicates + ranked.Duplicates);
                progress.Report(counts.Done, counts.Rows);
            }
            writer.Complete();
        }
        OutputPaths.Write(outPath, WriteTo);
        progress.Finish(counts.Done, counts.Rows);
        if (counts.Duplicates > 0)
        {
            Console.Error.WriteLine($"{Count(counts.Duplicates, "pair")} repeating an earlier (user, item) pair ranked once");
        }
        if (counts.Seen > 0)
        {
            Console.Error.WriteLine($"left out {Count(counts.Seen, "candidate")} the users had in training (--exclude-seen)");
        }
        if (counts.Filtered > 0)
        {
            Console.Error.WriteLine($"left out {Count(counts.Filtered, "candidate")} by the {(filter!.IsAllowList ? "allow" : "deny")}-list");
        }
        if (json)
        {
            Console.Out.WriteLine(new JsonObject
            {
                ["model"] = kind,
                ["model_file"] = modelPath,
                ["backend"] = BackendArguments.Name(backend.Kind),
                ["device"] = backend.DeviceName,
                ["candidates"] = path,
                ["out"] = outPath,
                ["format"] = outFormat,
                ["n"] = top,
                ["exclude_seen"] = excludeSeen,
                ["filter"] = filter is null ? null : filter.IsAllowList ? "allow" : "deny",
                ["pairs"] = read,
                ["users"] = counts.Done,
                ["rows"] = counts.Rows,
                ["skipped_unknown"] = pairs.UnknownPairs,
                ["unknown_users"] = pairs.UnknownUsers,
                ["unknown_items"] = pairs.UnknownItems,
                ["duplicates"] = counts.Duplicates,
                ["seen_left_out"] = counts.Seen,
                ["filtered_out"] = counts.Filtered,
                ["load_seconds"] = Math.Round(loadSeconds, 4),
                ["read_seconds"] = Math.Round(readSeconds, 4),
                ["score_seconds"] = Math.Round(progress.Elapsed.TotalSeconds, 4),
            }.ToJsonString());
        }
        else if (outPath != OutputPaths.StandardOutput)
        {
            Console.Out.WriteLine($"wrote {outPath}");
        }
        return 0;
    }

    /// <summary>
    /// The model's dense indices (<paramref name="known"/>) of a table's id <paramref name="column"/>, −1 where the model
    /// does not know the id: through the table's strings (<paramref name="names"/>) where the column holds them, else the
    /// integer ids, looked up as text in a model of string ids (whose ids may well be digits).
    /// </summary>
    internal static int[] Resolve(ReadOnlySpan<long> column, IdMap? names, IdMap known)
    {
        var result = new int[column.Length];
        if (names is not null)
        {
            var byName = new int[names.Count];
            for (int n = 0; n < byName.Length; n++)
            {
                byName[n] = known.TryFind(names.Text(n), out int i) ? i : -1;
            }
            for (int r = 0; r < result.Length; r++)
            {
                result[r] = byName[(int)column[r]];
            }
        }
        else
        {
            bool numeric = known.Kind == IdKind.Numeric;
            for (int r = 0; r < result.Length; r++)
            {
                bool found = numeric ? known.TryGetIndex(column[r], out int i) : known.TryFind(column[r].ToString(CultureInfo.InvariantCulture), out i);
                result[r] = found ? i : -1;
            }
        }
        return result;
    }

    /// <summary>
    /// 1-based line of data row <paramref name="row"/> of the file, found by reading it again as the reader did
    /// (blank lines skipped; a first line that yielded no row was its header); 0 when the file cannot be read again: a
    /// pipe, or a named one, whose opening would wait for a writer.
    /// </summary>
    internal static long LineOf(string path, RatingFileFormat format, int row, int rows)
    {
        if (OutputPaths.IsStream(path))
        {
            return 0;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (!stream.CanSeek)
        {
            return 0;
        }
        // The lines of data rows row and row + 1: the second is the answer when a header line came first.
        long lineNo = 0, dataLines = 0, atRow = 0, atNext = 0;
        using var reader = new LineReader(new StreamReader(stream), path);
        while (reader.ReadLine() is { } text)
        {
            lineNo = reader.LineNumber;
            var line = format.SplitsOnWhitespace ? text.AsSpan().Trim(" \t") : text.AsSpan();
            if (line.IsEmpty || (lineNo == 1 && format.HasHeader))
            {
                continue;
            }
            if (dataLines == row)
            {
                atRow = lineNo;
            }
            else if (dataLines == row + 1)
            {
                atNext = lineNo;
            }
            dataLines++;
        }
        return dataLines > rows ? atNext : atRow;
    }

    private static CandidatePairs Resolve(RatingTable table, FactorModel model, string path, RatingFileFormat format, bool skipUnknown)
    {
        var users = Resolve(table.Users, table.UserNames, model.Users);
        var items = Resolve(table.Items, table.ItemNames, model.Items);
        var pairs = CandidatePairs.Group(users, items, model.Users.Count);
        if (pairs.UnknownPairs > 0 && !skipUnknown)
        {
            int row = 0;
            while (users[row] >= 0 && items[row] >= 0)
            {
                row++;
            }
            bool user = users[row] < 0;
            long line = LineOf(path, format, row, table.Count);
            string id = user ? table.UserText(row) : table.ItemText(row);
            throw new DataFormatException(path, line,
                $"{(line == 0 ? $"data row {row + 1}: " : "")}unknown {(user ? "user" : "item")} {id}: the model does not know it ({Count(pairs.UnknownPairs, "pair")} of the file {(pairs.UnknownPairs == 1 ? "names" : "name")} unknown ids; pass --skip-unknown to leave such pairs out).");
        }
        return pairs;
    }

    /// <summary>"1 pair", "2,048 pairs".</summary>
    private static string Count(long count, string noun) => $"{count:N0} {noun}{(count == 1 ? "" : "s")}";

    private RatingFileFormat FormatOf(ParseResult parse, string path)
    {
        if (parse.GetValue(Format) is { } name)
        {
            return RatingFileFormat.Parse(name);
        }
        try
        {
            return RatingFileFormat.FromFileName(path);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"--candidates {path}: cannot tell the layout from the extension '{Path.GetExtension(path)}'; give --candidates-format {Opt.Join(Formats)}.");
        }
    }
}
