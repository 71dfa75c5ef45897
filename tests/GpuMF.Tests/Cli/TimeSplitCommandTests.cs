using System.Globalization;
using System.Text.Json.Nodes;
using GpuMF.Cli;
using GpuMF.Data;

namespace GpuMF.Tests.Cli;

/// <summary><c>gpumf split --by time</c> (<c>--before</c>, <c>--last</c>), its errors, and evaluate on what it writes.</summary>
[Collection(AlsConsoleCollection.Name)]
public sealed class TimeSplitCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-timesplit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Out(string name) => Path.Combine(_dir, name);

    /// <summary>MovieLens-style: user, item, rating, seconds since 1970; 946684800 is 2000-01-01T00:00:00Z.</summary>
    private string Timed() => Write("timed.tsv",
        "1\t10\t4\t946684900", "1\t11\t3\t946684700", "1\t12\t5\t946684800", "1\t13\t2\t946684800",
        "2\t10\t5\t946684600", "2\t14\t1\t946685000",
        "3\t11\t4\t946684500");

    [Fact]
    public void LastWritesEachUsersLatestRowsWithTheirTimes()
    {
        var (code, output, error) = CliRunner.Run("split", "--data", Timed(), "--by", "time", "--last", "2", "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.True(code == 0, error);
        Assert.Contains("wrote 4 rows", output);
        // User 1's latest is item 10; of the two rows at 946684800 the later line (item 13) is the later one.
        Assert.Equal(["1\t10\t4\t946684900", "1\t13\t2\t946684800", "2\t14\t1\t946685000"], File.ReadAllLines(Out("test.tsv")));
        Assert.Equal(["1\t11\t3\t946684700", "1\t12\t5\t946684800", "2\t10\t5\t946684600", "3\t11\t4\t946684500"], File.ReadAllLines(Out("train.tsv")));
    }

    [Theory]
    [InlineData("946684800")]
    [InlineData("2000-01-01")]
    [InlineData("2000-01-01T01:00:00+01:00")]
    public void BeforeCutsEveryoneAtOneTime(string before)
    {
        var (code, _, error) = CliRunner.Run("split", "--data", Timed(), "--by", "time", "--before", before, "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.True(code == 0, error);
        Assert.All(File.ReadAllLines(Out("train.tsv")), line => Assert.True(long.Parse(line.Split('\t')[3], CultureInfo.InvariantCulture) < 946684800, line));
        Assert.All(File.ReadAllLines(Out("test.tsv")), line => Assert.True(long.Parse(line.Split('\t')[3], CultureInfo.InvariantCulture) >= 946684800, line));
        Assert.Equal(3, File.ReadAllLines(Out("train.tsv")).Length);
        Assert.Equal(4, File.ReadAllLines(Out("test.tsv")).Length);
    }

    [Theory]
    [InlineData("1999-01-01", "leaves the training side empty")]
    [InlineData("946685001", "leaves the test side empty")]
    public void ABeforeThatLeavesASideEmptyIsAnErrorGivingTheDatasRange(string before, string message)
    {
        var (code, _, error) = CliRunner.Run("split", "--data", Timed(), "--by", "time", "--before", before, "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Contains("the times of " + Out("timed.tsv") + " run from 1999-12-31T23:55:00Z (946684500) to 2000-01-01T00:03:20Z (946685000)", error);
        Assert.False(File.Exists(Out("train.tsv")));
        Assert.False(File.Exists(Out("test.tsv")));
    }

    [Fact]
    public void TimeColNamesTheColumnOfAFileWithAHeader()
    {
        string csv = Write("named.csv", "when,user,item,rating", "946684900,1,10,4", "946684700,1,11,3", "946684600,2,10,5", "946685000,2,14,1");
        var (code, _, error) = CliRunner.Run("split", "--data", csv, "--by", "time", "--last", "1", "--time-col", "when", "--user-col", "user", "--item-col", "item", "--value-col", "rating",
            "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.True(code == 0, error);
        Assert.Equal(["1\t10\t4\t946684900", "2\t14\t1\t946685000"], File.ReadAllLines(Out("test.tsv")));
    }

    [Fact]
    public void AFileWithoutTimesIsAnErrorNamingTheFileAndTheField()
    {
        string plain = Write("plain.tsv", "1\t10\t4", "2\t10\t5");
        var (code, _, error) = CliRunner.Run("split", "--data", plain, "--by", "time", "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.NotEqual(0, code);
        Assert.Contains("plain.tsv:1:", error);
        Assert.Contains("--by time reads each row's time from field 4", error);
        Assert.False(File.Exists(Out("train.tsv")));
    }

    [Theory]
    [InlineData("--seed", "3", "--seed applies to --by random, not to --by time")]
    [InlineData("--test-fraction", "0.2", "--test-fraction applies to --by random")]
    [InlineData("--before", "nope", "--before must be seconds since 1970 or an ISO date")]
    public void OptionsOfTheOtherSplitAreErrors(string option, string value, string message)
    {
        var (code, _, error) = CliRunner.Run("split", "--data", Timed(), "--by", "time", option, value, "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        var (randomCode, _, randomError) = CliRunner.Run("split", "--data", Timed(), "--last", "2", "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.Equal(2, randomCode);
        Assert.Contains("--last applies to --by time, not to --by random", randomError);
        var (bothCode, _, bothError) = CliRunner.Run("split", "--data", Timed(), "--by", "time", "--last", "2", "--before", "946684800", "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.Equal(2, bothCode);
        Assert.Contains("give one", bothError);
    }

    [Fact]
    public void EvaluateReadsASplitByTime()
    {
        var lines = new List<string>();
        var rng = new Random(4);
        for (int k = 0; k < 800; k++)
        {
            lines.Add($"{1 + (k % 40)}\t{1 + rng.Next(60)}\t{1 + rng.Next(5)}\t{900_000_000 + k}");
        }
        string data = Write("many.tsv", [.. lines]);
        var (code, _, error) = CliRunner.Run("split", "--data", data, "--by", "time", "--last", "3", "--train-out", Out("train.tsv"), "--test-out", Out("test.tsv"));
        Assert.True(code == 0, error);
        var (evalCode, output, evalError) = CliRunner.Run("evaluate", "--model", "bpr", "--train", Out("train.tsv"), "--test", Out("test.tsv"), "--backend", "cpu", "--factors", "4", "--epochs", "2", "--json");
        Assert.True(evalCode == 0, evalError);
        var json = JsonNode.Parse(output)!;
        Assert.InRange((int)json["test_interactions"]!, 100, 120);
        Assert.InRange((double)json["precision@10"]!, 0.0, 1.0);
    }

    [Fact]
    public void MergedRepeatsKeepTheirLatestTime()
    {
        var table = new RatingTable(IdKind.Numeric, IdKind.Numeric, 4, times: true);
        table.Add(1, 10, 2, 300);
        table.Add(2, 20, 1, 100);
        table.Add(1, 10, 3, 200);
        var (merged, count) = DuplicateRows.Merge(table, DuplicatePolicy.Sum, "f");
        Assert.Equal(1, count);
        Assert.Equal([5f, 1f], merged.Values.ToArray());
        Assert.Equal([300L, 100L], merged.Times.ToArray());
    }
}
