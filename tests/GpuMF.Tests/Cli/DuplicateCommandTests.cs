using System.Text.Json;
using GpuMF.Cli;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Tests.Cli;

/// <summary><c>--duplicates sum|last|reject</c>, and the file layouts the commands read: two-column positives, whitespace, headers.</summary>
public sealed class DuplicateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-dups-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RatingTable Table(params (long User, long Item, float Value)[] rows)
    {
        var table = new RatingTable();
        foreach (var (user, item, value) in rows)
        {
            table.Add(user, item, value);
        }
        return table;
    }

    [Fact]
    public void MergingKeepsEachPairAtItsFirstRow()
    {
        var table = Table((1, 10, 2), (2, 20, 1), (1, 10, 3), (3, 30, 1), (1, 10, 4), (2, 20, 5));
        var (sum, merged) = DuplicateRows.Merge(table, DuplicatePolicy.Sum, "f");
        Assert.Equal(3, merged);
        Assert.Equal([1L, 2L, 3L], sum.Users.ToArray());
        Assert.Equal([10L, 20L, 30L], sum.Items.ToArray());
        Assert.Equal([9f, 6f, 1f], sum.Values.ToArray());
        var (last, _) = DuplicateRows.Merge(table, DuplicatePolicy.KeepLast, "f");
        Assert.Equal([4f, 5f, 1f], last.Values.ToArray());
        var e = Assert.Throws<DataFormatException>(() => DuplicateRows.Merge(table, DuplicatePolicy.Reject, "f"));
        Assert.Equal("f: the pair (user 1, item 10) occurs in data rows 1 and 3 (--duplicates reject); give --duplicates sum or last to merge repeats.", e.Message);
        var distinct = Table((1, 10, 2), (1, 11, 3));
        Assert.Same(distinct, DuplicateRows.Merge(distinct, DuplicatePolicy.Reject, "f").Table);
    }

    /// <summary>
    /// A two-column file of positives, one repeated three times: als sums them by default (a count of 3, which
    /// its confidence uses, so the model differs from --duplicates last), says how many rows it merged, and
    /// reject stops naming the pair.
    /// </summary>
    [Fact]
    public void TwoColumnPositivesAreSummedByDefaultForAls()
    {
        string data = Path.Combine(_dir, "plays.tsv");
        File.WriteAllText(data, "1\t10\n1\t11\n2\t10\n1\t10\n3\t12\n2\t11\n1\t10\n3\t10\n");
        string summed = Path.Combine(_dir, "sum.gpumf");
        string last = Path.Combine(_dir, "last.gpumf");
        string[] train = ["train", "--model", "als", "--data", data, "--backend", "cpu", "--factors", "2", "--iterations", "2", "--json"];
        var sum = CliRunner.Run([.. train, "--out", summed]);
        Assert.True(sum.Code == 0, sum.Err);
        Assert.Contains($"{data}: 2 rows repeating a (user, item) pair merged into its first (--duplicates sum)", sum.Err);
        using (var json = JsonDocument.Parse(sum.Out))
        {
            Assert.Equal(8, json.RootElement.GetProperty("rows_read").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("rows_merged").GetInt32());
            Assert.Equal(6, json.RootElement.GetProperty("interactions").GetInt32());
        }
        var keepLast = CliRunner.Run([.. train, "--out", last, "--duplicates", "last"]);
        Assert.True(keepLast.Code == 0, keepLast.Err);
        Assert.Contains("(--duplicates last)", keepLast.Err);
        Assert.NotEqual(FactorModel.Load(summed).UserFactors, FactorModel.Load(last).UserFactors);

        var reject = CliRunner.Run([.. train, "--out", last, "--duplicates", "reject"]);
        Assert.Equal(1, reject.Code);
        Assert.Equal($"gpumf: {data}: the pair (user 1, item 10) occurs in data rows 1 and 4 (--duplicates reject); give --duplicates sum or last to merge repeats.", reject.Err.Trim());
    }

    [Fact]
    public void SvdKeepsTheLastRatingByDefaultAndSaysSo()
    {
        var r = CliRunner.Run("train", "--model", "svd", "--data", GpuMF.Tests.Data.BadInputCorpusTests.Corpus("duplicate-pairs.tsv"), "--out", Path.Combine(_dir, "m.gpumf"), "--backend", "cpu", "--epochs", "1", "--factors", "2");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 row repeating a (user, item) pair merged into its first (--duplicates last)", r.Err);
        Assert.Equal(4.5f, FactorModel.Load(Path.Combine(_dir, "m.gpumf")).GlobalMean);
    }

    [Fact]
    public void SplitMergesRepeatsAndKeepsTwoColumnRowsAsPositives()
    {
        string data = Path.Combine(_dir, "pairs.tsv");
        File.WriteAllText(data, "user\titem\n1\t10\n2\t20\n1\t10\n3\t30\n");
        string train = Path.Combine(_dir, "train.tsv");
        string test = Path.Combine(_dir, "test.tsv");
        var r = CliRunner.Run("split", "--data", data, "--train-out", train, "--test-out", test, "--test-fraction", "0.4", "--duplicates", "sum");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 row repeating", r.Err);
        var rows = File.ReadAllLines(train).Concat(File.ReadAllLines(test)).Order().ToArray();
        Assert.Equal(["1\t10\t2", "2\t20\t1", "3\t30\t1"], rows);
    }

    [Theory]
    [InlineData("ratings.txt", "1 10 4\n  2   20 5\n3\t30\t3\n")]
    [InlineData("ratings.csv", "1,10,4\n2,20,5\n3,30,3\n")]
    [InlineData("ratings.csv", "userId,movieId,rating\n1,10,4\n2,20,5\n3,30,3\n")]
    public void WhitespaceFilesAndCsvWithOrWithoutAHeaderAreRead(string name, string text)
    {
        string data = Path.Combine(_dir, name);
        File.WriteAllText(data, text);
        var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", Path.Combine(_dir, "m.gpumf"), "--backend", "cpu", "--epochs", "1", "--factors", "2", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(3, json.RootElement.GetProperty("rows_read").GetInt32());
        Assert.Equal(4f, FactorModel.Load(Path.Combine(_dir, "m.gpumf")).GlobalMean);
    }

    [Fact]
    public void SvdNeedsTheValueColumn()
    {
        string data = Path.Combine(_dir, "pairs.tsv");
        File.WriteAllText(data, "1\t10\n");
        var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", Path.Combine(_dir, "m.gpumf"));
        Assert.Equal(1, r.Code);
        Assert.Contains(":1: expected at least 3 fields", r.Err);
    }

    [Fact]
    public void AMinValueThatKeepsNoRowSaysSo()
    {
        string data = Path.Combine(_dir, "r.tsv");
        File.WriteAllText(data, "1\t10\t3\n2\t10\t2\n");
        var r = CliRunner.Run("train", "--model", "bpr", "--data", data, "--out", Path.Combine(_dir, "m.gpumf"), "--min-value", "4");
        Assert.Equal(2, r.Code);
        Assert.Equal($"gpumf: --min-value 4 keeps none of the 2 rows of {data}: every value is below it.", r.Err.Trim());
    }
}
