using System.Globalization;
using GpuMF.Cli;
using GpuMF.Models;
using Parquet;

namespace GpuMF.Tests.Scoring;

/// <summary><c>gpumf score</c> and <c>gpumf similar --items</c>: chunked output, CSV and Parquet, ids in and out.</summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-score-").FullName;
    private readonly FactorModel _model = RandomModels.Create(23, 61, 7, seed: 17, integral: true);
    private readonly string _modelPath;

    public ScoreCommandTests()
    {
        _modelPath = Path.Combine(_folder, "model.gpumf");
        _model.Save(_modelPath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(7)]
    [InlineData(23)]
    [InlineData(1)]
    public void CsvHoldsEveryUsersListAcrossChunks(int chunk)
    {
        string output = Path.Combine(_folder, $"top-{chunk}.csv");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", output, "--n", "6", "--chunk", chunk.ToString(CultureInfo.InvariantCulture), "--backend", "cpu"]));
        var lines = File.ReadAllLines(output);
        Assert.Equal("user,rank,item,score", lines[0]);
        var expected = _model.RecommendAll(n: 6);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(expected.TotalEntries, rows.Count);
        int at = 0;
        for (int u = 0; u < expected.Count; u++)
        {
            for (int c = 0; c < expected.Ids(u).Length; c++, at++)
            {
                Assert.Equal(expected.QueryId(u), long.Parse(rows[at][0], CultureInfo.InvariantCulture));
                Assert.Equal(c + 1, int.Parse(rows[at][1], CultureInfo.InvariantCulture));
                Assert.Equal(expected.Ids(u)[c], long.Parse(rows[at][2], CultureInfo.InvariantCulture));
                Assert.Equal(expected.Scores(u)[c], float.Parse(rows[at][3], CultureInfo.InvariantCulture));
            }
        }
        Assert.Single(Directory.GetFiles(_folder, "*.csv"));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task ParquetReadsBackAsTheLists()
    {
        string users = Path.Combine(_folder, "users.txt");
        File.WriteAllLines(users, ["user", "1005", "", "1000", "1022", "1005"]);
        string output = Path.Combine(_folder, "top.parquet");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--users", users, "--out", output, "--n", "4", "--chunk", "3", "--include-seen"]));
        var expected = _model.RecommendAll([1005, 1000, 1022, 1005], n: 4, filterSeen: false);
        var user = new List<long>();
        var rank = new List<int>();
        var item = new List<long>();
        var score = new List<float>();
        await using (var stream = File.OpenRead(output))
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["user", "rank", "item", "score"], fields.Select(f => f.Name));
            Assert.Equal(2, reader.RowGroupCount);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = (int)group.RowCount;
                var u = new long[rows];
                var r = new int[rows];
                var i = new long[rows];
                var s = new float[rows];
                await group.ReadAsync<long>(fields[0], u);
                await group.ReadAsync<int>(fields[1], r);
                await group.ReadAsync<long>(fields[2], i);
                await group.ReadAsync<float>(fields[3], s);
                user.AddRange(u);
                rank.AddRange(r);
                item.AddRange(i);
                score.AddRange(s);
            }
        }
        Assert.Equal(16, user.Count);
        for (int q = 0, at = 0; q < 4; q++)
        {
            for (int c = 0; c < 4; c++, at++)
            {
                Assert.Equal(expected.QueryId(q), user[at]);
                Assert.Equal(c + 1, rank[at]);
                Assert.Equal(expected.Ids(q)[c], item[at]);
                Assert.Equal(expected.Scores(q)[c], score[at]);
            }
        }
    }

    [Fact]
    public void UnknownUsersFailWithTheLineUnlessSkipped()
    {
        string users = Path.Combine(_folder, "users.csv");
        File.WriteAllLines(users, ["1001,x", "77,y", "1002,z"]);
        string output = Path.Combine(_folder, "top.csv");
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, Program.Main(["score", "--model", _modelPath, "--users", users, "--out", output]));
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.Contains("users.csv:2", error.ToString());
        Assert.Contains("unknown user 77", error.ToString());
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--users", users, "--out", output, "--skip-unknown", "--n", "2"]));
        Assert.Equal(["user,rank,item,score", "1001", "1001", "1002", "1002"], File.ReadAllLines(output).Select(l => l.Split(',')[0] == "user" ? l : l.Split(',')[0]));
    }

    [Fact]
    public void SimilarWritesManyItemsWithTheSameOptions()
    {
        string output = Path.Combine(_folder, "similar.csv");
        string deny = Path.Combine(_folder, "deny.txt");
        File.WriteAllLines(deny, ["5001", "5002"]);
        Assert.Equal(0, Program.Main(["similar", "--model", _modelPath, "--items", "5000,5030,5060", "--n", "5", "--deny", deny, "--out", output]));
        var lines = File.ReadAllLines(output);
        Assert.Equal("item,rank,similar,score", lines[0]);
        Assert.Equal(16, lines.Length);
        var expected = _model.SimilarItems([5000, 5030, 5060], n: 5, filter: GpuMF.TopN.ItemFilter.Deny([5001, 5002]));
        var similar = lines.Skip(1).Select(l => long.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(q => expected.Ids(q).ToArray()), similar);
        Assert.DoesNotContain(5001L, similar);
    }

    [Theory]
    [InlineData("--out", "top.txt")]
    [InlineData("--n", "1001")]
    [InlineData("--bogus", "1")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        var args = new List<string> { "score", "--model", _modelPath };
        if (option != "--out")
        {
            args.AddRange(["--out", Path.Combine(_folder, "x.csv")]);
        }
        args.AddRange([option, option == "--out" ? Path.Combine(_folder, value) : value]);
        Assert.Equal(2, Program.Main([.. args]));
    }
}
