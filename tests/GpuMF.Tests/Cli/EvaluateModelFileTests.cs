using System.Globalization;
using System.Text.Json;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary><c>gpumf evaluate --model-file</c>: a saved (or updated) model measured without training.</summary>
public sealed class EvaluateModelFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-evaluate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ASavedModelIsMeasuredOnTheTestRowsItKnowsAndTheOthersAreCounted()
    {
        string model = Path.Combine(_folder, "bpr.gpumf");
        string train = TestData.Split("ml100k_implicit_train.tsv"), test = TestData.Split("ml100k_implicit_test.tsv");
        Assert.Equal(0, CliRunner.Run("train", "--model", "bpr", "--data", train, "--out", model, "--factors", "16", "--epochs", "5", "--backend", "cpu").Code);
        var (code, output, error) = CliRunner.Run("evaluate", "--model-file", model, "--test", test, "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var loaded = FactorModel.Load(model);
        int unknown = File.ReadLines(test).Count(line =>
        {
            var f = line.Split('\t');
            return !loaded.Users.TryGetIndex(long.Parse(f[0], CultureInfo.InvariantCulture), out _) || !loaded.Items.TryGetIndex(long.Parse(f[1], CultureInfo.InvariantCulture), out _);
        });
        Assert.Equal(unknown, root.GetProperty("unknown_test_rows").GetInt32());
        Assert.Equal("bpr", root.GetProperty("model").GetString());
        Assert.InRange(root.GetProperty("precision@10").GetDouble(), 0.1, 0.5);
    }

    [Fact]
    public void AnSvdModelClipsToTheTrainingRangeOnlyWhenTrainingRowsAreGiven()
    {
        string model = Path.Combine(_folder, "svd.gpumf");
        string train = TestData.Split("ml100k_explicit_train.tsv"), test = TestData.Split("ml100k_explicit_test.tsv");
        Assert.Equal(0, CliRunner.Run("train", "--model", "svd", "--data", train, "--out", model, "--epochs", "3", "--backend", "cpu").Code);
        var (code, output, error) = CliRunner.Run("evaluate", "--model-file", model, "--test", test, "--train", train, "--json");
        Assert.True(code == 0, error);
        Assert.Contains("\"clip_range_from\":\"train\"", output);
        Assert.Contains("\"rmse_clipped\":", output);
        (code, output, error) = CliRunner.Run("evaluate", "--model-file", model, "--test", test, "--json");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("rmse_clipped", output);
        Assert.Contains("\"rmse\":", output);
    }

    [Theory]
    [InlineData("--model svd", "drop --model")]
    [InlineData("--factors 8", "--factors would not change it")]
    public void OptionsThatASavedModelCannotTakeAreUsageErrors(string extra, string message)
    {
        string model = Path.Combine(_folder, "als.gpumf");
        Assert.Equal(0, CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--factors", "4", "--iterations", "1", "--backend", "cpu").Code);
        var (code, _, error) = CliRunner.Run(["evaluate", "--model-file", model, "--test", TestData.Split("ml100k_implicit_test.tsv"), .. extra.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
        (code, _, error) = CliRunner.Run("evaluate", "--test", TestData.Split("ml100k_implicit_test.tsv"));
        Assert.Equal(2, code);
        Assert.Contains("give --model M to train and measure, or --model-file", error);
    }
}
