using System.Text.Json;
using GpuMF.Tests.Cli;
using GpuMF.Tests.Support;
using Parquet;

namespace GpuMF.Tests.Mpi;

/// <summary>
/// <c>gpumf score</c> as a 2- and 3-rank Open MPI job: each rank writes its part of the users, rank 0 a manifest
/// naming the parts, and the parts in rank order hold exactly the rows one process writes.
/// </summary>
public sealed class MpiScoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-mpiscore-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Model()
    {
        string model = Path.Combine(_folder, "m.gpumf");
        var (code, _, error) = CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--backend", "cpu", "--factors", "8", "--iterations", "2");
        Assert.True(code == 0, error);
        return model;
    }

    [Theory]
    [InlineData(2, "all")]
    [InlineData(3, "FILE")]
    public void TheRanksPartsInOrderAreTheSingleProcessOutput(int ranks, string users)
    {
        string model = Model();
        if (users == "FILE")
        {
            users = Path.Combine(_folder, "users.txt");
            // A header, a blank line and an unknown id, which the ranks skip as one process does.
            File.WriteAllLines(users, ["user", .. Enumerable.Range(1, 40).Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture)), "", "999999", "7"]);
        }
        string single = Path.Combine(_folder, "single.csv"), shared = Path.Combine(_folder, "top.csv");
        string[] options = ["score", "--model", model, "--users", users, "--n", "5", "--skip-unknown", "--backend", "cpu", "--json"];
        var alone = CliRunner.Run([.. options, "--out", single]);
        Assert.True(alone.Code == 0, alone.Err);
        var (code, output, error) = MpiRunner.Run(ranks, [.. options, "--out", shared]);
        Assert.True(code == 0, error);
        Assert.False(File.Exists(shared));
        using var report = JsonDocument.Parse(output.Trim());
        Assert.Equal(ranks, report.RootElement.GetProperty("ranks").GetInt32());
        using var expectedReport = JsonDocument.Parse(alone.Out);
        foreach (string count in new[] { "users", "rows", "skipped_unknown" })
        {
            Assert.Equal(expectedReport.RootElement.GetProperty(count).GetInt64(), report.RootElement.GetProperty(count).GetInt64());
        }
        using var manifest = JsonDocument.Parse(File.ReadAllText(shared + ".manifest.json"));
        var parts = manifest.RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("file").GetString()!).ToList();
        Assert.Equal(ranks, parts.Count);
        var rows = parts.SelectMany(p => File.ReadAllLines(Path.Combine(_folder, p)).Skip(1)).ToList();
        Assert.Equal(File.ReadAllLines(single).Skip(1), rows);
        Assert.True(parts.Select(p => File.ReadAllLines(Path.Combine(_folder, p)).Length).All(n => n > 1), "every rank scored some users");
    }

    [Fact]
    public async Task ParquetPartsHoldEveryRow()
    {
        string model = Model();
        string shared = Path.Combine(_folder, "top.parquet");
        var (code, _, error) = MpiRunner.Run(2, "score", "--model", model, "--n", "3", "--backend", "cpu", "--out", shared);
        Assert.True(code == 0, error);
        using var manifest = JsonDocument.Parse(File.ReadAllText(shared + ".manifest.json"));
        long rows = 0;
        foreach (var part in manifest.RootElement.GetProperty("parts").EnumerateArray())
        {
            await using var reader = await ParquetReader.CreateAsync(Path.Combine(_folder, part.GetProperty("file").GetString()!));
            long partRows = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                partRows += reader.OpenRowGroupReader(g).RowCount;
            }
            Assert.Equal(part.GetProperty("rows").GetInt64(), partRows);
            rows += partRows;
        }
        Assert.Equal(942 * 3, rows);
        Assert.Equal(rows, manifest.RootElement.GetProperty("rows").GetInt64());
    }

    [Fact]
    public void CandidateScoringIsRefusedUnderMpirun()
    {
        string candidates = Path.Combine(_folder, "pairs.csv");
        File.WriteAllLines(candidates, ["user,item", "1,50"]);
        var (code, _, error) = MpiRunner.Run(2, "score", "--model", Model(), "--backend", "cpu", "--candidates", candidates, "--out", Path.Combine(_folder, "c.csv"));
        Assert.Equal(2, code);
        Assert.Contains("--candidates ranks one file's pairs in one process", error);
        Assert.False(File.Exists(Path.Combine(_folder, "c.csv")));
    }

    [Fact]
    public void StandardOutputCannotTakeTheRanksParts()
    {
        var (code, _, error) = MpiRunner.Run(2, "score", "--model", Model(), "--backend", "cpu", "--out", "-");
        Assert.Equal(2, code);
        Assert.Contains("each rank writes its part of --out", error);
    }
}
