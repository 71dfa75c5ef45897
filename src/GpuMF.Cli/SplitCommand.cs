using System.CommandLine;
using System.Globalization;
using System.Text;
using GpuMF.Data;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary><c>gpumf split</c>: a seeded train/test split of a ratings file, written as <c>user&lt;TAB&gt;item&lt;TAB&gt;value</c> files.</summary>
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
    private readonly DataArguments _dataArguments;

    public SplitCommand()
        : base("split", "a seeded train/test split of a ratings or interactions file, written as user<TAB>item<TAB>value files")
    {
        _data = Add(Opt.Text("--data", "FILE", "the rows to split (a two-column file's rows get the value 1)", true, "-d"));
        _trainOut = Add(Opt.Text("--train-out", "FILE", "where the training rows go", true));
        _testOut = Add(Opt.Text("--test-out", "FILE", "where the held-out rows go", true));
        _testFraction = Add(Opt.Float("--test-fraction", "the share of rows held out", 0.1f, "(0, 1)", f => f > 0 && f < 1));
        _perUser = Add(Opt.Flag("--per-user", "hold out that share of each user's rows (a user with one row keeps it in training)"));
        _seed = Add(Opt.ULong("--seed", "seed of the random choice", 42));
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
        var table = _dataArguments.Read(parse, data, "--data", positives: false, valueOptional: true, cancellation).Table;
        double fraction = parse.GetValue(_testFraction);
        ulong seed = parse.GetValue(_seed);
        var (train, test) = parse.GetValue(_perUser) ? Splitter.PerUserFraction(table, fraction, seed) : Splitter.RandomByRating(table, fraction, seed);
        cancellation.ThrowIfCancellationRequested();
        Write(train, trainOut, cancellation);
        Write(test, testOut, cancellation);
        Console.Out.WriteLine($"wrote {train.Count:N0} rows to {trainOut} and {test.Count:N0} rows to {testOut}");
        return 0;
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
                writer.Write('\n');
            }
        });
}
