using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary><c>gpumf tune</c>: the trials table, the best options written as JSON, and its usage errors.</summary>
public sealed class TuneCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-tune-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TunePrintsItsTrialsAndWritesTheBestOptions()
    {
        string best = Path.Combine(_folder, "best.json");
        var (code, output, error) = CliRunner.Run("tune", "--model", "als", "--train", TestData.Split("ml100k_implicit_train.tsv"), "--trials", "3", "--max-epochs", "3",
            "--factors", "8", "--out", best, "--backend", "cpu", "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("holding --factors fixed", error);
        Assert.Contains("ndcg@10", output);
        Assert.Contains("best: point", output);
        string json = File.ReadAllText(best);
        Assert.Contains("\"Factors\":8", json);
        Assert.Contains("\"Iterations\":", json);
    }

    [Fact]
    public void TuneRefusesAMetricOfTheOtherKindAndAnEmptyBudget()
    {
        string train = TestData.Split("ml100k_implicit_train.tsv");
        var (code, _, error) = CliRunner.Run("tune", "--model", "bpr", "--train", train, "--metric", "rmse");
        Assert.Equal(2, code);
        Assert.Contains("--metric rmse applies to svd", error);
        (code, _, error) = CliRunner.Run("tune", "--model", "bpr", "--train", train, "--time-budget", "0");
        Assert.Equal(2, code);
        Assert.Contains("--time-budget", error);
        Assert.False(File.Exists(Path.Combine(_folder, "best.json")));
    }
}
