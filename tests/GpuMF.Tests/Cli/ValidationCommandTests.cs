using System.Globalization;
using System.Text.RegularExpressions;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary><c>train</c> and <c>evaluate</c> with validation rows, early stopping and <c>--options</c>.</summary>
public sealed partial class ValidationCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-validation-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void EarlyStoppingShowsTheValidationMetricEveryEpochAndStopsPatienceEpochsAfterTheBest()
    {
        string model = Path.Combine(_folder, "warp.gpumf");
        var (code, _, error) = CliRunner.Run("train", "--model", "warp", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model,
            "--factors", "16", "--epochs", "60", "--lr", "0.2", "--validation-fraction", "0.2", "--early-stopping", "2", "--validation-metric", "ndcg@10", "--backend", "cpu", "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("validation: ", error);
        var epochs = EpochLine().Matches(error).Select(m => (Epoch: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Best: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.NotEmpty(epochs);
        Assert.Equal(Enumerable.Range(1, epochs.Count), epochs.Select(e => e.Epoch));
        var last = epochs[^1];
        Assert.InRange(last.Best, 1, last.Epoch);
        // Stopped before the planned 60 epochs exactly when the best is 2 epochs behind.
        Assert.Equal(last.Epoch < 60, last.Epoch - last.Best == 2);
        Assert.Equal(FactorModel.Load(model).Users.Count, FactorModel.Load(model).SeenPtr.Length - 1);
    }

    [Fact]
    public void EvaluateWatchesAValidationFileAndReportsOnTheTestFile()
    {
        string validation = Path.Combine(_folder, "validation.tsv");
        File.WriteAllLines(validation, File.ReadAllLines(TestData.Split("ml100k_explicit_test.tsv")).Take(3000));
        var (code, output, error) = CliRunner.Run("evaluate", "--model", "svd", "--train", TestData.Split("ml100k_explicit_train.tsv"), "--test", TestData.Split("ml100k_explicit_test.tsv"),
            "--validation", validation, "--early-stopping", "3", "--epochs", "40", "--json", "--backend", "cpu", "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("validation: 3,000 rows", error);
        Assert.Contains("\"rmse\":", output);
    }

    [Theory]
    [InlineData("--early-stopping 3", "give --validation FILE or --validation-fraction F")]
    [InlineData("--validation-fraction 0.2 --validation-metric rmse --early-stopping 3", "--validation-metric rmse applies to svd")]
    [InlineData("--validation-fraction 0.2 --validation-metric p@10", "give --early-stopping N too")]
    [InlineData("--validation-fraction 1.5 --early-stopping 3", "--validation-fraction must be in (0, 1)")]
    [InlineData("--options no-such.json", "--options: no-such.json does not exist")]
    public void ValidationOptionsThatCannotRunAreUsageErrors(string options, string message)
    {
        string model = Path.Combine(_folder, "m.gpumf");
        var (code, _, error) = CliRunner.Run(["train", "--model", "bpr", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void TrainStartsFromAnOptionsFileAndTheCommandLineOverridesIt()
    {
        string options = Path.Combine(_folder, "best.json");
        File.WriteAllText(options, """{"Factors":12,"Epochs":2,"LearningRate":0.05,"Regularization":0.001}""");
        var (code, output, error) = CliRunner.Run("train", "--model", "bpr", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", Path.Combine(_folder, "m.gpumf"),
            "--options", options, "--epochs", "1", "--json", "--backend", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("\"factors\":12", output);
        Assert.Contains("\"epochs\":1", output);
        Assert.Contains("\"learning_rate\":0.05", output);
        File.WriteAllText(options, """{"Factors":0}""");
        (code, _, error) = CliRunner.Run("train", "--model", "bpr", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", Path.Combine(_folder, "m.gpumf"), "--options", options);
        Assert.Equal(2, code);
        Assert.Contains("--options " + options, error);
        Assert.Contains("Factors", error);
    }

    [GeneratedRegex(@"\]\s+(\d+)/\d+.*valid p@10 [0-9.]+ ndcg@10 [0-9.]+ \(best (\d+)\)")]
    private static partial Regex EpochLine();
}
