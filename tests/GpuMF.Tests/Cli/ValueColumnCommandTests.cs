using System.Globalization;
using System.Text.Json.Nodes;
using GpuMF.Models;

namespace GpuMF.Tests.Cli;

/// <summary>
/// What train and evaluate do with the value column: binary positives by default, counts for als given
/// --confidence, no sample weights for bpr and warp; and the range rmse_clipped clips to.
/// </summary>
[Collection(AlsConsoleCollection.Name)]
public sealed class ValueColumnCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-values-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A seeded play-count file: 30 users, each with 12 of 50 items and counts 1..40; <paramref name="value"/> rewrites each count.</summary>
    private string Counts(string name, Func<int, float> value)
    {
        var rng = new Random(11);
        var lines = new List<string>();
        for (int u = 1; u <= 30; u++)
        {
            foreach (int i in Enumerable.Range(1, 50).OrderBy(_ => rng.Next()).Take(12))
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{u}\t{i}\t{value(rng.Next(1, 41))}"));
            }
        }
        return Write(name, lines);
    }

    private string Write(string name, IEnumerable<string> lines)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private (FactorModel Model, JsonNode Json, string Error) Train(string data, params string[] extra)
    {
        string model = Path.Combine(_dir, $"{Guid.NewGuid():N}.gpumf");
        var (code, output, error) = CliRunner.Run(["train", "--model", "als", "--data", data, "--out", model, "--backend", "cpu", "--threads", "1", "--factors", "4", "--iterations", "3", "--json", .. extra]);
        Assert.True(code == 0, error);
        return (FactorModel.Load(model), JsonNode.Parse(output)!, error);
    }

    [Fact]
    public void WithoutConfidenceEveryRowIsAPositiveOfValueOne()
    {
        var (counts, json, error) = Train(Counts("counts.tsv", c => c));
        var (ones, _, _) = Train(Counts("ones.tsv", _ => 1));
        Assert.Equal("binary", (string?)json["values"]);
        Assert.Contains("every row a positive of value 1", error);
        Assert.Equal(ones.UserFactors, counts.UserFactors);
        Assert.Equal(ones.ItemFactors, counts.ItemFactors);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("log")]
    public void GivenConfidenceAlsReadsTheValuesAsCounts(string scaling)
    {
        var (counts, json, error) = Train(Counts("counts.tsv", c => c), "--confidence", scaling);
        var (ones, _, _) = Train(Counts("ones.tsv", _ => 1), "--confidence", scaling);
        Assert.Equal("counts", (string?)json["values"]);
        Assert.Contains("values read as counts", error);
        Assert.NotEqual(ones.UserFactors, counts.UserFactors);
    }

    [Fact]
    public void RepeatsSummedAreCountsAndMinValueKeepsTheValues()
    {
        string whole = Write("whole.tsv", ["1\t10\t5", "1\t11\t2", "2\t10\t7", "2\t12\t1", "3\t11\t4", "3\t12\t9"]);
        string repeated = Write("repeated.tsv", ["1\t10\t2", "1\t10\t3", "1\t11\t2", "2\t10\t7", "2\t12\t1", "3\t11\t4", "3\t12\t6", "3\t12\t3"]);
        var (a, _, _) = Train(whole, "--confidence", "linear");
        var (b, _, error) = Train(repeated, "--confidence", "linear");
        Assert.Contains("2 rows repeating a (user, item) pair merged", error);
        Assert.Equal(a.UserFactors, b.UserFactors);
        // --min-value drops the rows below it; the rest keep their counts, so equal a file of just those rows.
        string kept = Write("kept.tsv", ["1\t10\t5", "2\t10\t7", "3\t11\t4", "3\t12\t9"]);
        var (filtered, _, _) = Train(whole, "--confidence", "linear", "--min-value", "3");
        var (direct, _, _) = Train(kept, "--confidence", "linear");
        Assert.Equal(direct.UserFactors, filtered.UserFactors);
        Assert.NotEqual(Train(kept).Model.UserFactors, direct.UserFactors);
    }

    [Fact]
    public void CountsOfZeroOrLessAreLeftOutAndAllOfThemIsAnError()
    {
        string some = Write("some.tsv", ["1\t10\t5", "1\t11\t0", "2\t10\t-1", "2\t11\t3"]);
        var (_, json, error) = Train(some, "--confidence", "log");
        Assert.Contains("some.tsv: 2 rows with a value of 0 or less left out", error);
        Assert.Equal(2, (int)json["interactions"]!);
        string none = Write("none.tsv", ["1\t10\t0", "2\t11\t0"]);
        var (code, _, message) = CliRunner.Run("train", "--model", "als", "--data", none, "--out", Path.Combine(_dir, "m.gpumf"), "--confidence", "log");
        Assert.Equal(2, code);
        Assert.Contains("none.tsv: every value is 0 or less", message);
    }

    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void WeightsAreRefusedWithWhatThePairwiseModelsDo(string model)
    {
        var (code, _, error) = CliRunner.Run("train", "--model", model, "--data", Counts("counts.tsv", c => c), "--out", Path.Combine(_dir, "m.gpumf"), "--weights");
        Assert.Equal(2, code);
        Assert.Contains("bpr and warp read every kept row as a positive of value 1", error);
        Assert.False(File.Exists(Path.Combine(_dir, "m.gpumf")));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    public void HelpSaysWhatEachModelDoesWithTheValue(string command)
    {
        var (code, output, _) = CliRunner.Run(command, "--help");
        Assert.Equal(0, code);
        string flat = string.Join(' ', output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("svd fits the ratings themselves", flat);
        Assert.Contains("als reads the value column as counts", flat);
        Assert.Contains("bpr and warp take no sample weights", flat);
    }

    [Fact]
    public void RmseClippedClipsToTheTrainingRangeOrTheDeclaredOne()
    {
        // Half-star ratings between 0.5 and 2.5: a 1..5 clip would move every prediction below 1 up.
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 600).Select(k => string.Create(CultureInfo.InvariantCulture, $"{1 + (k % 40)}\t{1 + rng.Next(30)}\t{0.5 * (1 + rng.Next(5))}")).ToList();
        string train = Write("half-train.tsv", rows.Take(500));
        string test = Write("half-test.tsv", rows.Skip(500));
        string[] common = ["evaluate", "--model", "svd", "--train", train, "--test", test, "--backend", "cpu", "--epochs", "5", "--duplicates", "last", "--json"];
        var (code, output, error) = CliRunner.Run(common);
        Assert.True(code == 0, error);
        var json = JsonNode.Parse(output)!;
        Assert.Equal(0.5f, (float)json["clip_min"]!);
        Assert.Equal(2.5f, (float)json["clip_max"]!);
        Assert.Equal("train", (string?)json["clip_range_from"]);
        // Every test rating lies in the training range, so clipping to it can only bring predictions closer.
        Assert.True((double)json["rmse_clipped"]! <= (double)json["rmse"]!);
        var (declaredCode, declaredOutput, _) = CliRunner.Run([.. common, "--value-range", "0.5..5"]);
        Assert.Equal(0, declaredCode);
        var declared = JsonNode.Parse(declaredOutput)!;
        Assert.Equal((0.5f, 5f), ((float)declared["clip_min"]!, (float)declared["clip_max"]!));
        Assert.Equal("value-range", (string?)declared["clip_range_from"]);
    }
}
