using System.Text.Json.Nodes;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlsConsoleCollection
{
    public const string Name = "als-console";
}

/// <summary>The console host's commands for ALS models; they redirect Console, so they run alone.</summary>
[Collection(AlsConsoleCollection.Name)]
public sealed class AlsCommandTests
{
    [Fact]
    public void EvaluatePrintsRankingMetricsAsJson()
    {
        var (code, output, _) = CliRunner.Run("evaluate", "--model", "als", "--train", TestData.Split("ml100k_implicit_train.tsv"), "--test", TestData.Split("ml100k_implicit_test.tsv"),
            "--backend", "cpu", "--factors", "16", "--iterations", "5", "--solver", "cholesky", "--alpha", "5", "--reg", "20", "--json");
        Assert.Equal(0, code);
        var json = JsonNode.Parse(output)!;
        Assert.Equal("als", (string?)json["model"]);
        Assert.Equal("Cholesky", (string?)json["options"]!["solver"]);
        Assert.Equal(5f, (float)json["options"]!["alpha"]!);
        Assert.InRange((double)json["precision@10"]!, 0.1, 1.0);
        Assert.InRange((double)json["auc_full"]!, 0.8, 1.0);
    }

    [Fact]
    public void TrainedModelServesRecommendAndSimilar()
    {
        string model = TestData.TempPath(".gpumf");
        try
        {
            var (code, _, _) = CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--backend", "cpu", "--factors", "8", "--iterations", "3", "--loss");
            Assert.Equal(0, code);
            var (rc, recs, _) = CliRunner.Run("recommend", "--model", model, "--user", "1", "--n", "5");
            Assert.Equal(0, rc);
            Assert.Contains("Top 5 for user 1", recs);
            var (sc, sims, _) = CliRunner.Run("similar", "--model", model, "--item", "1", "--n", "3");
            Assert.Equal(0, sc);
            Assert.Contains("Items most similar to 1", sims);
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Theory]
    [InlineData("--solver", "lu", "--solver must be cg or cholesky")]
    [InlineData("--confidence", "sqrt", "--confidence must be linear or log")]
    [InlineData("--epochs", "3", "unknown option for 'train': --epochs")]
    public void BadOptionsAreUsageErrors(string option, string value, string message)
    {
        var (code, _, error) = CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", TestData.TempPath(".gpumf"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void OutOfRangeOptionNamesItAsTypedOnOneLine()
    {
        var (code, _, error) = CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", TestData.TempPath(".gpumf"), "--reg", "0");
        Assert.Equal(2, code);
        Assert.Equal("gpumf: --reg must be in (0, 1e6]; got 0.", error.Trim());
    }
}
