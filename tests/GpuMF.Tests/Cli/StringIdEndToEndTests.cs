using System.Globalization;
using System.Text.Json;
using GpuMF.Tests.Data;
using GpuMF.Tests.Support;
using Parquet.Schema;

namespace GpuMF.Tests.Cli;

/// <summary>
/// The fixed ML-100K split with every id made a string ("u12", "m345"), as CSV with a header and as Parquet with
/// several row groups, trained, evaluated and scored by the console host: the same metrics, to the last digit, and the
/// same lists as the integer files.
/// </summary>
public sealed class StringIdEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-stringids-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("als", "implicit", "precision@10")]
    [InlineData("bpr", "implicit", "ndcg@10")]
    [InlineData("svd", "explicit", "rmse")]
    public void StringIdsFromCsvAndParquetGiveExactlyTheMetricsOfTheIntegerFiles(string model, string kind, string metric)
    {
        string train = TestData.Split($"ml100k_{kind}_train.tsv"), test = TestData.Split($"ml100k_{kind}_test.tsv");
        string[] options = model switch
        {
            "als" => ["--factors", "16", "--iterations", "4"],
            "bpr" => ["--factors", "16", "--epochs", "3"],
            _ => ["--factors", "16", "--epochs", "5"],
        };
        double Metric(string trainFile, string testFile)
        {
            var (code, output, error) = CliRunner.Run(["evaluate", "--model", model, "--train", trainFile, "--test", testFile, "--json", "--backend", "cpu", "--threads", "2", .. options]);
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty(metric).GetDouble();
        }
        double integers = Metric(train, test);
        Assert.Equal(integers, Metric(Csv(train, "train"), Csv(test, "test")));
        Assert.Equal(integers, Metric(Parquet(train, "train"), Parquet(test, "test")));
    }

    [Fact]
    public void AStringIdModelTrainedFromParquetRecommendsWhatTheIntegerModelDoesUnderPrefixedIds()
    {
        string train = TestData.Split("ml100k_implicit_train.tsv");
        string integerModel = Path.Combine(_folder, "int.gpumf"), stringModel = Path.Combine(_folder, "str.gpumf");
        string[] options = ["--model", "als", "--factors", "16", "--iterations", "4", "--backend", "cpu", "--threads", "2"];
        Assert.Equal(0, CliRunner.Run(["train", "--data", train, "--out", integerModel, .. options]).Code);
        var (code, _, error) = CliRunner.Run(["train", "--data", Parquet(train, "train"), "--out", stringModel, .. options]);
        Assert.True(code == 0, error);
        var (_, integerLists, _) = CliRunner.Run("score", "--model", integerModel, "--users", "1,2,3", "--n", "5", "--out", "-");
        (code, var stringLists, error) = CliRunner.Run("score", "--model", stringModel, "--users", "u1,u2,u3", "--n", "5", "--out", "-");
        Assert.True(code == 0, error);
        var expected = integerLists.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).Select(f => $"u{f[0]},{f[1]},m{f[2]},{f[3]}");
        Assert.Equal(expected, stringLists.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
    }

    [Fact]
    public void SplitRefusesAStringIdThatATsvFileCannotHoldAndWritesNeitherOutput()
    {
        string data = Path.Combine(_folder, "tabs.csv");
        File.WriteAllLines(data, ["user,item,value", .. Enumerable.Range(0, 50).Select(n => $"u{n % 7},m{n},4"), "\"u\t7\",m99,5"]);
        string train = Path.Combine(_folder, "train.tsv"), test = Path.Combine(_folder, "test.tsv");
        var (code, _, error) = CliRunner.Run("split", "--data", data, "--train-out", train, "--test-out", test, "--test-fraction", "0.5");
        Assert.Equal(1, code);
        Assert.Contains("holds a tab or a line end", error);
        Assert.False(File.Exists(train));
        Assert.False(File.Exists(test));
    }

    /// <summary>The TSV split as CSV with a header and prefixed ids.</summary>
    private string Csv(string tsv, string name)
    {
        string path = Path.Combine(_folder, name + ".csv");
        File.WriteAllLines(path, ["user,item,value", .. File.ReadLines(tsv).Select(l => l.Split('\t')).Select(f => $"u{f[0]},m{f[1]},{f[2]}")]);
        return path;
    }

    /// <summary>The TSV split as Parquet with prefixed string ids and float values, in row groups of 20,000 rows.</summary>
    private string Parquet(string tsv, string name)
    {
        string path = Path.Combine(_folder, name + ".parquet");
        var rows = File.ReadLines(tsv).Select(l => l.Split('\t')).ToArray();
        var groups = rows.Chunk(20_000).Select(g => new Array[]
        {
            g.Select(f => (string?)("u" + f[0])).ToArray(),
            g.Select(f => (string?)("m" + f[1])).ToArray(),
            g.Select(f => float.Parse(f[2], CultureInfo.InvariantCulture)).ToArray(),
        }).ToArray();
        ParquetRatingReaderTests.Write(path, [new DataField<string>("user"), new DataField<string>("item"), new DataField<float>("value")], groups);
        return path;
    }
}
