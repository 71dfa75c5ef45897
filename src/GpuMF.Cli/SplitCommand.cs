using System.CommandLine;
using System.Globalization;
using System.Text;
using GpuMF.Data;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf split</c>: a seeded random train/test split of a ratings file, or a split by time (one cut, or each
/// user's latest rows), written as <c>user&lt;TAB&gt;item&lt;TAB&gt;value</c> files (with a fourth field, the time, for a split by time).
/// </summary>
internal sealed class SplitCommand : CliCommand
{
    /// <summary>Rows written between two checks of the cancellation token.</summary>
    private const int RowsPerCheck = 1 << 16;

    private readonly Option<string> _data;
    private readonly Option<string> _trainOut;
    private readonly Option<string> _testOut;
    private readonly Option<float> _testFraction;
    private readonly Option<bool> _perUser;
    private readonly Option<ulong> _seed;
    private readonly Option<string> _by;
    private readonly Option<long?> _before;
    private readonly Option<int> _last;
    private readonly DataArguments _dataArguments;

    public SplitCommand()
        : base("split", "a train/test split of a ratings or interactions file, seeded at random or by time, written as user<TAB>item<TAB>value[<TAB>time] files")
    {
        _data = Add(Opt.Text("--data", "FILE", "the rows to split (a two-column file's rows get the value 1)", true, "-d"));
        _trainOut = Add(Opt.Text("--train-out", "FILE", "where the training rows go", true));
        _testOut = Add(Opt.Text("--test-out", "FILE", "where the held-out rows go", true));
        _testFraction = Add(Opt.Float("--test-fraction", "the share of rows held out", 0.1f, "(0, 1)", f => f > 0 && f < 1));
        _perUser = Add(Opt.Flag("--per-user", "hold out that share of each user's rows (a user with one row keeps it in training)"));
        _seed = Add(Opt.ULong("--seed", "seed of the random choice", 42));
        _by = Add(Opt.Choice("--by", "random: a seeded random choice (--test-fraction, --per-user, --seed); time: by the time column (--time-col, default field 4 or the column timestamp; --before or --last), as a model is used: trained on the past, judged on the future", ["random", "time"], "random"));
        _before = Add(new Option<long?>("--before")
        {
            Description = "--by time: the rows stamped before T train, the rest test; T in seconds since 1970 or an ISO date (2000-12-31, 2000-12-31T12:00:00Z; UTC unless it says otherwise)",
            HelpName = "T",
            CustomParser = r => ParseTime(r.Tokens[0].Value, r.AddError),
        });
        _last = Add(Opt.Int("--last", "--by time without --before: each user's N latest rows test (ties in time: the later line is the later), the rest train; a user with N rows or fewer keeps the earliest in train", 5, 1, 1_000_000));
        _dataArguments = new DataArguments(Command, models: false);
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string data = parse.GetValue(_data)!;
        string trainOut = parse.GetValue(_trainOut)!;
        string testOut = parse.GetValue(_testOut)!;
        OutputPaths.CheckFile(trainOut, "--train-out");
        OutputPaths.CheckFile(testOut, "--test-out");
        OutputPaths.Distinct(2, ("--train-out", trainOut), ("--test-out", testOut), ("--data", data));
        _dataArguments.Check(parse, null, data, "--data");
        bool byTime = parse.GetValue(_by) == "time";
        CheckOptions(parse, byTime);
        RatingTable table;
        try
        {
            table = _dataArguments.Read(parse, data, "--data", positives: false, valueOptional: true, cancellation, times: byTime).Table;
        }
        catch (DataFormatException e) when (byTime && e.RowGroup < 0 && !parse.Given(_dataArguments.TimeCol))
        {
            // A file without times fails on its first line; say where the time was looked for.
            throw new DataFormatException(e.File, e.Line, $"{e.Problem.TrimEnd('.')} (--by time reads each row's time from field 4 by default, in seconds since 1970, as MovieLens files and split's own output hold it; --time-col names another column).");
        }
        var (train, test) = byTime ? SplitByTime(parse, table, data) : SplitAtRandom(parse, table);
        cancellation.ThrowIfCancellationRequested();
        // Every id is checked before either file is written, so that an id a TSV file cannot hold leaves neither output.
        CheckIds(train, trainOut);
        CheckIds(test, testOut);
        Write(train, trainOut, cancellation);
        Write(test, testOut, cancellation);
        Console.Out.WriteLine($"wrote {train.Count:N0} rows to {trainOut} and {test.Count:N0} rows to {testOut}");
        return 0;
    }

    /// <summary>The options of the other kind of split are an error rather than silently ignored.</summary>
    private void CheckOptions(ParseResult parse, bool byTime)
    {
        Option[] others = byTime ? [_testFraction, _perUser, _seed] : [_before, _last];
        if (others.FirstOrDefault(parse.Given) is { } foreign)
        {
            throw new UsageException($"{foreign.Name} applies to --by {(byTime ? "random" : "time")}, not to --by {(byTime ? "time" : "random")}.");
        }
        if (byTime && parse.Given(_before) && parse.Given(_last))
        {
            throw new UsageException("--before (one cut in time for everyone) and --last (each user's latest rows) are two ways of splitting by time; give one.");
        }
    }

    private (RatingTable Train, RatingTable Test) SplitAtRandom(ParseResult parse, RatingTable table)
    {
        double fraction = parse.GetValue(_testFraction);
        ulong seed = parse.GetValue(_seed);
        return parse.GetValue(_perUser) ? Splitter.PerUserFraction(table, fraction, seed) : Splitter.RandomByRating(table, fraction, seed);
    }

    /// <exception cref="UsageException">The cut leaves one side empty, or no user has two rows to leave one out of.</exception>
    private (RatingTable Train, RatingTable Test) SplitByTime(ParseResult parse, RatingTable table, string data)
    {
        if (parse.GetValue(_before) is not { } before)
        {
            int last = parse.GetValue(_last);
            var split = Splitter.LastPerUser(table, last);
            if (split.Test.Count == 0)
            {
                throw new UsageException($"--last {last}: no user of {data} has two rows, so none can be held out (a user's only row stays in training).");
            }
            return split;
        }
        var (train, test) = Splitter.ByTime(table, before);
        if (train.Count == 0 || test.Count == 0)
        {
            long first = long.MaxValue, latest = long.MinValue;
            foreach (long t in table.Times)
            {
                first = Math.Min(first, t);
                latest = Math.Max(latest, t);
            }
            throw new UsageException(
                $"--before {Iso(before)} ({before}) leaves the {(train.Count == 0 ? "training" : "test")} side empty: the times of {data} run from {Iso(first)} ({first}) to {Iso(latest)} ({latest}); "
                + "cut after the first and at or before the last.");
        }
        return (train, test);
    }

    private static string Iso(long seconds) =>
        seconds is >= -62135596800 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : seconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>Seconds since 1970, or an ISO 8601 date or date and time (UTC unless an offset is given).</summary>
    private static long? ParseTime(string text, Action<string> error)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
        {
            return seconds;
        }
        string[] layouts = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss"];
        if (DateTimeOffset.TryParseExact(text, layouts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when))
        {
            return when.ToUnixTimeSeconds();
        }
        error($"--before must be seconds since 1970 or an ISO date such as 2000-12-31 or 2000-12-31T12:00:00Z; got '{text}'.");
        return null;
    }

    /// <summary>Checks that every string id of <paramref name="table"/> can be a TSV field.</summary>
    /// <exception cref="DataFormatException">One holds a tab or a line end.</exception>
    private static void CheckIds(RatingTable table, string path)
    {
        for (int k = 0; k < table.Count; k++)
        {
            if (table.UserNames is not null)
            {
                Field(table.UserText(k), "user", k, path);
            }
            if (table.ItemNames is not null)
            {
                Field(table.ItemText(k), "item", k, path);
            }
        }
    }

    /// <summary>A string id as a TSV field, which cannot hold a tab or a line end.</summary>
    /// <exception cref="DataFormatException">The id holds one.</exception>
    private static string Field(string id, string what, int row, string path) =>
        id.AsSpan().IndexOfAny('\t', '\n', '\r') < 0 ? id : throw new DataFormatException(path, 0, $"the {what} id of row {row + 1}, '{id}', holds a tab or a line end, which a TSV file cannot hold; nothing was written.");

    /// <summary>Writes through <see cref="AtomicFile"/>, so an interrupted run leaves no partial output.</summary>
    private static void Write(RatingTable table, string path, CancellationToken cancellation) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            for (int k = 0; k < table.Count; k++)
            {
                if (k % RowsPerCheck == 0)
                {
                    cancellation.ThrowIfCancellationRequested();
                }
                writer.Write(Field(table.UserText(k), "user", k, path));
                writer.Write('\t');
                writer.Write(Field(table.ItemText(k), "item", k, path));
                writer.Write('\t');
                writer.Write(table.Values[k].ToString(CultureInfo.InvariantCulture));
                if (table.HasTimes)
                {
                    writer.Write('\t');
                    writer.Write(table.Times[k].ToString(CultureInfo.InvariantCulture));
                }
                writer.Write('\n');
            }
        });
}
