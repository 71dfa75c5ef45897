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

    [Fact]
    public void DashWritesCsvToStandardOutput()
    {
        var r = GpuMF.Tests.Cli.CliRunner.Run("score", "--model", _modelPath, "--out", "-", "--n", "3", "--backend", "cpu");
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("user,rank,item,score", lines[0]);
        var expected = _model.RecommendAll(n: 3);
        Assert.Equal(expected.TotalEntries, lines.Length - 1);
        Assert.Equal($"{expected.QueryId(0)},1,{expected.Ids(0)[0]},{expected.Scores(0)[0].ToString(CultureInfo.InvariantCulture)}", lines[1]);
        Assert.Contains("scored 23 users", r.Err);
        Assert.Empty(Directory.GetFiles(_folder, "*.csv"));
    }

    [Theory]
    [InlineData("top.txt", "csv")]
    [InlineData("top.dat", "parquet")]
    public void FormatOverridesTheExtension(string name, string format)
    {
        string output = Path.Combine(_folder, name);
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", output, "--format", format, "--n", "2", "--backend", "cpu"]));
        var bytes = File.ReadAllBytes(output);
        Assert.Equal(format == "csv" ? "user" : "PAR1", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
    }

    /// <summary>A device is written to, not replaced: as root, a rename over /dev/null would swap the device for a file.</summary>
    [Fact]
    public void DevNullStaysADevice()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", "/dev/null", "--n", "2", "--backend", "cpu"]));
        Assert.Equal(GpuMF.Persistence.FileKind.CharacterDevice, GpuMF.Persistence.FileKinds.Of("/dev/null"));
    }

    [Fact]
    public void ALinkedOutputStaysALinkToTheNewContent()
    {
        string target = Path.Combine(_folder, "target.csv");
        string link = Path.Combine(_folder, "link.csv");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", link, "--n", "2", "--backend", "cpu"]));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.StartsWith("user,rank,item,score", File.ReadAllText(target));
    }

    [Fact]
    public void SimilarWithMoviesAddsAQuotedTitleColumn()
    {
        string movies = Path.Combine(_folder, "movies.dat");
        File.WriteAllLines(movies, Enumerable.Range(5000, 61).Select(i => $"{i}::Film {i}, \"the\" cut (1999)::Drama"));
        string output = Path.Combine(_folder, "similar.csv");
        Assert.Equal(0, Program.Main(["similar", "--model", _modelPath, "--item", "5000", "--n", "2", "--movies", movies, "--out", output, "--backend", "cpu"]));
        var lines = File.ReadAllLines(output);
        Assert.Equal("item,rank,similar,score,title", lines[0]);
        long similar = _model.SimilarItems(5000, 1)[0].Id;
        Assert.StartsWith($"5000,1,{similar},", lines[1]);
        Assert.EndsWith($",\"Film {similar}, \"\"the\"\" cut (1999)\"", lines[1]);
    }

    [Fact]
    public void JsonReportsTheJob()
    {
        var r = GpuMF.Tests.Cli.CliRunner.Run("score", "--model", _modelPath, "--out", Path.Combine(_folder, "top.csv"), "--users", "1000,1001,77", "--skip-unknown", "--n", "4", "--backend", "cpu", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("users").GetInt64());
        Assert.Equal(8, root.GetProperty("rows").GetInt64());
        Assert.Equal(1, root.GetProperty("skipped_unknown").GetInt64());
        Assert.Equal("cpu", root.GetProperty("backend").GetString());
        Assert.Equal("csv", root.GetProperty("format").GetString());
    }

    [Fact]
    public void RecommendIncludeSeenKeepsTheTrainingItems()
    {
        long user = _model.Users.Ids.First(u => _model.Recommend(u, 5, filterSeen: false).Select(r => r.Id).Except(_model.Recommend(u, 5).Select(r => r.Id)).Any());
        string Items(params string[] extra)
        {
            var r = GpuMF.Tests.Cli.CliRunner.Run(["recommend", "--model", _modelPath, "--user", user.ToString(CultureInfo.InvariantCulture), "--n", "5", .. extra]);
            Assert.True(r.Code == 0, r.Err);
            return string.Join(',', r.Out.Split('\n').Skip(3).Where(l => l.Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        }
        Assert.Equal(string.Join(',', _model.Recommend(user, 5, filterSeen: false).Select(r => r.Id)), Items("--include-seen"));
        Assert.Equal(string.Join(',', _model.Recommend(user, 5).Select(r => r.Id)), Items());
    }
}
