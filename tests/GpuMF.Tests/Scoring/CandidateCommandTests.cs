using System.Globalization;
using GpuMF.Cli;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using Parquet;

namespace GpuMF.Tests.Scoring;

/// <summary><c>gpumf score --candidates</c>: candidate files in, user,rank,item,score rows out, unknown ids counted or refused.</summary>
public sealed class CandidateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-candidates-").FullName;
    private readonly FactorModel _model = RandomModels.Create(23, 61, 7, seed: 41, integral: true);
    private readonly string _modelPath;

    public CandidateCommandTests()
    {
        _modelPath = Path.Combine(_folder, "model.gpumf");
        _model.Save(_modelPath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("1")]
    [InlineData("4")]
    [InlineData("8192")]
    public void CsvHoldsEveryUsersCandidatesRankedInOrderOfFirstAppearance(string chunk)
    {
        var (path, pairs) = WriteCandidates("candidates.csv", 400, seed: 5);
        string output = Path.Combine(_folder, "ranked.csv");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--candidates", path, "--out", output, "--chunk", chunk, "--backend", "cpu"]));
        var lines = File.ReadAllLines(output);
        Assert.Equal("user,rank,item,score", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var expected = Expected(pairs, filterSeen: false);
        Assert.Equal(expected.Count, rows.Length);
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.Equal(expected[r].User, long.Parse(rows[r][0], CultureInfo.InvariantCulture));
            Assert.Equal(expected[r].Rank, int.Parse(rows[r][1], CultureInfo.InvariantCulture));
            Assert.Equal(expected[r].Item, long.Parse(rows[r][2], CultureInfo.InvariantCulture));
            Assert.Equal(expected[r].Score, float.Parse(rows[r][3], CultureInfo.InvariantCulture));
        }
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task ParquetWithExcludeSeenAndNHoldsTheBestUnseen()
    {
        var (path, pairs) = WriteCandidates("candidates.tsv", 300, seed: 9);
        string output = Path.Combine(_folder, "ranked.parquet");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--candidates", path, "--out", output, "--exclude-seen", "--n", "3"]));
        var expected = Expected(pairs, filterSeen: true).Where(r => r.Rank <= 3).ToList();
        var rows = new List<(long User, int Rank, long Item, float Score)>();
        await using (var stream = File.OpenRead(output))
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["user", "rank", "item", "score"], fields.Select(f => f.Name));
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int count = (int)group.RowCount;
                var u = new long[count];
                var r = new int[count];
                var i = new long[count];
                var s = new float[count];
                await group.ReadAsync<long>(fields[0], u);
                await group.ReadAsync<int>(fields[1], r);
                await group.ReadAsync<long>(fields[2], i);
                await group.ReadAsync<float>(fields[3], s);
                rows.AddRange(Enumerable.Range(0, count).Select(k => (u[k], r[k], i[k], s[k])));
            }
        }
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void AnUnknownItemFailsNamingTheLineAndWritesNothingUnlessSkipped()
    {
        string path = Path.Combine(_folder, "candidates.csv");
        File.WriteAllLines(path, ["user,item,retrieval_score", "1001,5003,0.9", "", "1001,99999,0.8", "42,5001,0.1", "1002,5004,0.2"]);
        string output = Path.Combine(_folder, "ranked.csv");
        File.WriteAllText(output, "previous");
        var (code, error) = Run(["score", "--model", _modelPath, "--candidates", path, "--out", output]);
        Assert.Equal(1, code);
        Assert.Contains("candidates.csv:4: unknown item 99999", error);
        Assert.Contains("2 pairs of the file name unknown ids", error);
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));

        (code, error) = Run(["score", "--model", _modelPath, "--candidates", path, "--out", output, "--skip-unknown"]);
        Assert.Equal(0, code);
        Assert.Contains("left out 2 pairs naming ids the model does not know (1 with an unknown user, 1 with an unknown item)", error);
        Assert.Equal(["user,rank,item,score", $"1001,1,5003,{S(1, 3)}", $"1002,1,5004,{S(2, 4)}"], File.ReadAllLines(output));
    }

    [Fact]
    public void JsonCountsWhatWasLeftOutAndWhy()
    {
        int u = Enumerable.Range(0, _model.Users.Count).First(x => _model.SeenPtr[x + 1] > _model.SeenPtr[x]);
        long user = _model.Users[u];
        long seen = _model.Items[_model.SeenItems[_model.SeenPtr[u]]];
        var unseenItems = Enumerable.Range(0, _model.Items.Count).Where(i => Array.IndexOf(_model.SeenItems, i, _model.SeenPtr[u], _model.SeenPtr[u + 1] - _model.SeenPtr[u]) < 0).ToArray();
        long unseen = _model.Items[unseenItems[0]];
        long denied = _model.Items[unseenItems[^1]];
        string path = Path.Combine(_folder, "candidates.csv");
        File.WriteAllLines(path, [$"{user},{seen}", $"{user},{unseen}", $"{user},{unseen}", $"{user},{denied}", $"{user},1", $"3,{unseen}"]);
        string deny = Path.Combine(_folder, "deny.txt");
        File.WriteAllLines(deny, [denied.ToString(CultureInfo.InvariantCulture)]);
        string output = Path.Combine(_folder, "ranked.csv");
        var stdout = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(stdout);
        try
        {
            var (code, error) = Run(["score", "--model", _modelPath, "--candidates", path, "--out", output, "--skip-unknown", "--exclude-seen", "--deny", deny, "--json"]);
            Assert.True(code == 0, error);
        }
        finally
        {
            Console.SetOut(saved);
        }
        var json = System.Text.Json.Nodes.JsonNode.Parse(stdout.ToString())!;
        Assert.Equal(6, (int)json["pairs"]!);
        Assert.Equal(1, (int)json["users"]!);
        Assert.Equal(1, (int)json["rows"]!);
        Assert.Equal(2, (int)json["skipped_unknown"]!);
        Assert.Equal(1, (int)json["unknown_users"]!);
        Assert.Equal(1, (int)json["unknown_items"]!);
        Assert.Equal(1, (int)json["duplicates"]!);
        Assert.Equal(1, (int)json["seen_left_out"]!);
        Assert.Equal(1, (int)json["filtered_out"]!);
        Assert.Equal(["user,rank,item,score", $"{user},1,{unseen},{S(u, _model.Items.IndexOf(unseen))}"], File.ReadAllLines(output));
    }

    [Fact]
    public void AnUnknownUserInAHeaderlessFileNamesItsLine()
    {
        string path = Path.Combine(_folder, "candidates.txt");
        File.WriteAllText(path, "\n1001 5003\n\n  1001   5004\n7 5001\n");
        var (code, error) = Run(["score", "--model", _modelPath, "--candidates", path, "--out", Path.Combine(_folder, "x.csv")]);
        Assert.Equal(1, code);
        Assert.Contains("candidates.txt:5: unknown user 7", error);
    }

    [Theory]
    [InlineData("--users", "1001")]
    [InlineData("--include-seen", "--exclude-seen")]
    public void ConflictingOptionsAreUsageErrors(string option, string value)
    {
        var (path, _) = WriteCandidates("candidates.csv", 10, seed: 1);
        Assert.Equal(2, Program.Main(["score", "--model", _modelPath, "--candidates", path, "--out", Path.Combine(_folder, "x.csv"), option, value]));
    }

    [Fact]
    public void CandidateOptionsWithoutCandidatesAndUnknownLayoutsAreUsageErrors()
    {
        Assert.Equal(2, Program.Main(["score", "--model", _modelPath, "--out", Path.Combine(_folder, "x.csv"), "--exclude-seen"]));
        string odd = Path.Combine(_folder, "candidates.list");
        File.WriteAllText(odd, "1001,5001\n");
        Assert.Equal(2, Program.Main(["score", "--model", _modelPath, "--out", Path.Combine(_folder, "x.csv"), "--candidates", odd]));
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", Path.Combine(_folder, "x.csv"), "--candidates", odd, "--candidates-format", "csv"]));
    }

    [Fact]
    public void ResolveMapsIntegerAndStringColumnsAlike()
    {
        var numeric = new IdMap([10L, 20L, 30L]);
        Assert.Equal([2, -1, 0], CandidateScoring.Resolve([30, 31, 10], null, numeric));
        var text = new IdMap(["a", "20", "c"]);
        Assert.Equal([1, -1], CandidateScoring.Resolve([20, 10], null, text));
        var names = new IdMap(["c", "zz", "a"]);
        Assert.Equal([2, 0, -1, 2], CandidateScoring.Resolve([0, 2, 1, 0], names, text));
        Assert.Equal([-1, 0], CandidateScoring.Resolve([0, 1], new IdMap(["x", "10"]), numeric));
    }

    [Fact]
    public void ChunksBoundPairsAndPaddedSlots()
    {
        int[] users = [0, 1, 2, 3, 4, 5];
        int[] items = Enumerable.Repeat(0, 2 + 2 + 9 + 1 + 1 + 3).ToArray();
        var pairs = CandidatePairs.Group(Enumerable.Repeat(0, 2).Concat(Enumerable.Repeat(1, 2)).Concat(Enumerable.Repeat(2, 9)).Concat([3, 4, 5, 5, 5]).ToArray(), items, 6);
        Assert.Equal(users, pairs.Users);
        Assert.Equal([0, 2, 4, 13, 14, 15, 18], pairs.Offsets);
        // Budget 10: lists of 2 and 2 fit (2 × 2 slots); the list of 9 goes alone; then 1, 1 and 3 (3 × 3 slots).
        Assert.Equal([(0, 2), (2, 3), (3, 6)], pairs.Chunks(int.MaxValue, 100, budget: 10));
        Assert.Equal([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)], pairs.Chunks(int.MaxValue, 1, budget: 10));
        Assert.Equal([(0, 3), (3, 6)], pairs.Chunks(2, 100, budget: 13));
    }

    /// <summary>Integer factors give exact float scores, so the CSV's shortest form of one is the same text.</summary>
    private string S(int user, int item) => _model.Score(user, item).ToString(CultureInfo.InvariantCulture);

    private (string Path, List<(long User, long Item)> Pairs) WriteCandidates(string name, int count, ulong seed)
    {
        var rng = new XorShiftRandom(seed, 4);
        var pairs = Enumerable.Range(0, count).Select(_ => (_model.Users[rng.NextInt(_model.Users.Count)], _model.Items[rng.NextInt(_model.Items.Count)])).ToList();
        string separator = name.EndsWith(".tsv", StringComparison.Ordinal) ? "\t" : ",";
        string path = Path.Combine(_folder, name);
        File.WriteAllLines(path, [$"user{separator}item", .. pairs.Select(p => $"{p.Item1}{separator}{p.Item2}")]);
        return (path, pairs);
    }

    /// <summary>The rows by brute force: users in order of first appearance, each one's distinct items by score, then index.</summary>
    private List<(long User, int Rank, long Item, float Score)> Expected(List<(long User, long Item)> pairs, bool filterSeen)
    {
        var rows = new List<(long, int, long, float)>();
        foreach (var user in pairs.Select(p => p.User).Distinct())
        {
            int u = _model.Users.IndexOf(user);
            var seen = _model.SeenItems[_model.SeenPtr[u].._model.SeenPtr[u + 1]];
            var ranked = pairs.Where(p => p.User == user).Select(p => _model.Items.IndexOf(p.Item)).Distinct()
                .Where(i => !filterSeen || !seen.Contains(i))
                .OrderByDescending(i => _model.Score(u, i)).ThenBy(i => i).ToArray();
            rows.AddRange(ranked.Select((i, r) => (user, r + 1, _model.Items[i], _model.Score(u, i))));
        }
        return rows;
    }

    private static (int Code, string Error) Run(string[] args)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            return (Program.Main(args), error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}
