using System.Globalization;
using System.Text;
using GpuMF.Cli;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Tests.Scoring;
using Parquet;

namespace GpuMF.Tests.Cli;

/// <summary>The commands on a model of string ids: ids read as text, CSV that quotes the ids needing it, Parquet id columns of strings.</summary>
public sealed class StringIdCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-string-ids-").FullName;
    private readonly FactorModel _model;
    private readonly string _modelPath;

    public StringIdCommandTests()
    {
        var m = RandomModels.Create(9, 14, 4, seed: 23);
        // User 0 and item 3 hold what CSV must quote: a comma, a quote, a line end.
        var users = new IdMap(Enumerable.Range(0, 9).Select(u => u == 0 ? "ann, \"the\" first" : $"u{m.Users[u]}"));
        var items = new IdMap(Enumerable.Range(0, 14).Select(i => i == 3 ? "x\"y,\nz" : $"m{m.Items[i]}"));
        _model = new FactorModel(m.Kind, users, items, m.Factors, m.UserFactors, m.ItemFactors, m.UserBias, m.ItemBias, m.GlobalMean, m.SeenPtr, m.SeenItems, m.OptionsJson);
        _modelPath = Path.Combine(_folder, "strings.gpumf");
        _model.Save(_modelPath);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>RFC 4180 records: quoted fields may hold commas, doubled quotes and line ends.</summary>
    internal static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (quoted)
            {
                if (c == '"' && k + 1 < text.Length && text[k + 1] == '"')
                {
                    field.Append('"');
                    k++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        return rows;
    }

    [Fact]
    public void ScoreWritesCsvWithTheIdsQuotedWhereTheyNeedIt()
    {
        string output = Path.Combine(_folder, "top.csv");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--out", output, "--n", "14", "--include-seen", "--chunk", "4", "--backend", "cpu"]));
        string text = File.ReadAllText(output);
        Assert.Contains("\"ann, \"\"the\"\" first\",1,", text);
        Assert.Contains("\"x\"\"y,\nz\"", text);
        var rows = ParseCsv(text);
        Assert.Equal(["user", "rank", "item", "score"], rows[0]);
        var expected = _model.RecommendAll(n: 14, filterSeen: false);
        int at = 1;
        for (int q = 0; q < expected.Count; q++)
        {
            for (int c = 0; c < expected.Indices(q).Length; c++, at++)
            {
                Assert.Equal(expected.QueryText(q), rows[at][0]);
                Assert.Equal((c + 1).ToString(CultureInfo.InvariantCulture), rows[at][1]);
                Assert.Equal(expected.Text(q, c), rows[at][2]);
                Assert.Equal(expected.Scores(q)[c], float.Parse(rows[at][3], CultureInfo.InvariantCulture));
            }
        }
        Assert.Equal(rows.Count, at);
    }

    [Fact]
    public void ScoreReadsUsersAndAnAllowListAsStrings()
    {
        string users = Path.Combine(_folder, "users.txt"), allow = Path.Combine(_folder, "allow.txt");
        File.WriteAllLines(users, ["user_id", "u1003", "", "u1001", "u1003"]);
        File.WriteAllLines(allow, ["m5000", "m5002", "m5007", "m9999"]);
        string output = Path.Combine(_folder, "allowed.csv");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--users", users, "--allow", allow, "--out", output, "--n", "2", "--backend", "cpu"]));
        var rows = ParseCsv(File.ReadAllText(output)).Skip(1).ToList();
        var expected = _model.RecommendAll(["u1003", "u1001", "u1003"], n: 2, filter: GpuMF.TopN.ItemFilter.Allow(["m5000", "m5002", "m5007"]));
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(q => Enumerable.Range(0, expected.Indices(q).Length).Select(c => expected.QueryText(q) + " " + expected.Text(q, c))),
            rows.Select(r => r[0] + " " + r[2]));
        Assert.All(rows, r => Assert.Contains(r[2], (string[])["m5000", "m5002", "m5007"]));

        string inline = Path.Combine(_folder, "inline.csv");
        Assert.Equal(0, Program.Main(["score", "--model", _modelPath, "--users", "u1004,u1002", "--out", inline, "--n", "3", "--backend", "cpu"]));
        Assert.Equal(["u1004", "u1004", "u1004", "u1002", "u1002", "u1002"], ParseCsv(File.ReadAllText(inline)).Skip(1).Select(r => r[0]));
    }

    [Fact]
    public void AnUnknownStringIdIsNamedQuoted()
    {
        string output = Path.Combine(_folder, "none.csv");
        var (code, _, error) = CliRunner.Run("score", "--model", _modelPath, "--users", "u1001,nobody", "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("unknown user 'nobody'", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task ParquetIdColumnsAreStringsForAStringModel()
    {
        string output = Path.Combine(_folder, "similar.parquet");
        Assert.Equal(0, Program.Main(["similar", "--model", _modelPath, "--items", "all", "--out", output, "--n", "3", "--backend", "cpu"]));
        var expected = _model.SimilarItems(_model.Items.Names, n: 3);
        var item = new List<string>();
        var similar = new List<string>();
        await using (var stream = File.OpenRead(output))
        await using (var reader = await ParquetReader.CreateAsync(stream))
        {
            var fields = reader.Schema.GetDataFields();
            Assert.Equal(["item", "rank", "similar", "score"], fields.Select(f => f.Name));
            // Parquet.Net reads a UTF-8 column back as text, in either of its forms.
            Assert.Contains(fields[0].ClrType, (Type[])[typeof(string), typeof(ReadOnlyMemory<char>)]);
            Assert.Contains(fields[2].ClrType, (Type[])[typeof(string), typeof(ReadOnlyMemory<char>)]);
            Assert.Equal(typeof(int), fields[1].ClrType);
            Assert.False(fields[0].IsNullable);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = (int)group.RowCount;
                var a = new string?[rows];
                var b = new string?[rows];
                await group.ReadAsync(fields[0], a.AsMemory());
                await group.ReadAsync(fields[2], b.AsMemory());
                item.AddRange(a.Select(x => x!));
                similar.AddRange(b.Select(x => x!));
            }
        }
        Assert.Equal(Enumerable.Range(0, expected.Count).SelectMany(q => Enumerable.Repeat(expected.QueryText(q), expected.Indices(q).Length)), item);
        Assert.Equal(Enumerable.Range(0, expected.Count).SelectMany(q => Enumerable.Range(0, expected.Indices(q).Length).Select(c => expected.Text(q, c))), similar);
        Assert.Contains("x\"y,\nz", similar);
    }

    [Fact]
    public void RecommendAndSimilarTakeStringIds()
    {
        var (code, output, error) = CliRunner.Run("recommend", "--model", _modelPath, "--user", "u1002", "--n", "3");
        Assert.True(code == 0, error);
        Assert.Contains("Top 3 for user u1002:", output);
        foreach (var r in _model.Recommend("u1002", 3))
        {
            Assert.Contains(r.Text, output);
        }
        (code, output, error) = CliRunner.Run("recommend", "--model", _modelPath, "--liked", "m5001,m5004,unseen", "--n", "2");
        Assert.True(code == 0, error);
        Assert.Contains("a new user who liked m5001, m5004, unseen", output);
        Assert.Contains("1 item(s) the model does not know left out: unseen", error);
        var liked = _model.Recommend(_model.RecalculateUser([("m5001", 5f), ("m5004", 5f)]), 2);
        Assert.Contains(liked[0].Text, output);

        (code, output, error) = CliRunner.Run("similar", "--model", _modelPath, "--item", "m5006", "--n", "2");
        Assert.True(code == 0, error);
        Assert.Contains("Items most similar to m5006:", output);
        Assert.Contains(_model.SimilarItems("m5006", 2)[0].Text, output);

        (code, _, error) = CliRunner.Run("recommend", "--model", _modelPath, "--user", "1002");
        Assert.Equal(1, code);
        Assert.Contains("Unknown user '1002' (the user ids are strings)", error);
    }

    [Fact]
    public void SimilarWritesOneStringItemsNeighboursToAFile()
    {
        string output = Path.Combine(_folder, "one.csv");
        Assert.Equal(0, Program.Main(["similar", "--model", _modelPath, "--item", "x\"y,\nz", "--out", output, "--n", "4", "--backend", "cpu"]));
        var rows = ParseCsv(File.ReadAllText(output));
        Assert.Equal(["item", "rank", "similar", "score"], rows[0]);
        Assert.All(rows.Skip(1), r => Assert.Equal("x\"y,\nz", r[0]));
        Assert.Equal(_model.SimilarItems("x\"y,\nz", 4).Select(r => r.Name), rows.Skip(1).Select(r => r[2]));
    }

    [Fact]
    public void AnIntegerModelNamesATextIdThatIsNoInteger()
    {
        string path = Path.Combine(_folder, "integers.gpumf");
        RandomModels.Create(5, 6, 3, seed: 2).Save(path);
        var (code, _, error) = CliRunner.Run("recommend", "--model", path, "--user", "abc");
        Assert.Equal(1, code);
        Assert.Contains("Unknown user 'abc' (the user ids are integers)", error);
        (code, _, error) = CliRunner.Run("score", "--model", path, "--users", Path.Combine(_folder, "missing.txt"), "--out", Path.Combine(_folder, "x.csv"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public void UpdateWithIdsOfTheOtherKindIsRefusedAndTheModelKeptByteForByte()
    {
        string data = Path.Combine(_folder, "new.tsv"), updated = Path.Combine(_folder, "updated.gpumf");
        File.WriteAllLines(data, ["1\t5000\t4", "2\t5001\t3"]);
        byte[] before = File.ReadAllBytes(_modelPath);
        var (code, output, error) = CliRunner.Run("update", "--model", _modelPath, "--data", data, "--out", updated, "--backend", "cpu");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(data, error);
        Assert.Contains("its user ids are integers, but the model's are strings", error);
        Assert.Equal(before, File.ReadAllBytes(_modelPath));
        Assert.False(File.Exists(updated));
    }
}
