using System.Text.Json;
using GpuMF.Tests.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>What <c>gpumf</c> does with the bad and borderline inputs of Corpus/ (Corpus/README.md).</summary>
public sealed class CorpusCommandTests
{
    [Theory]
    [InlineData("svd", "rmse")]
    [InlineData("als", "precision@10")]
    public void EvaluateCountsTestUsersAndItemsUnseenInTraining(string model, string metric)
    {
        var r = CliRunner.Run("evaluate", "--model", model, "--train", BadInputCorpusTests.Corpus("cold-train.tsv"), "--test", BadInputCorpusTests.Corpus("cold-test.tsv"),
            "--json", "--backend", "cpu", "--factors", "2", model == "svd" ? "--epochs" : "--iterations", "2");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("cold_test_users").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("cold_test_items").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("test_interactions").GetInt32());
        Assert.True(double.IsFinite(doc.RootElement.GetProperty(metric).GetDouble()));
    }

    [Fact]
    public void RecommendingForAUserUnseenInTrainingIsAnError()
    {
        string model = TestData.TempPath(".gpumf");
        try
        {
            var train = CliRunner.Run("train", "--model", "svd", "--data", BadInputCorpusTests.Corpus("cold-train.tsv"), "--out", model, "--backend", "cpu", "--epochs", "2", "--factors", "2");
            Assert.True(train.Code == 0, train.Err);
            var r = CliRunner.Run("recommend", "--model", model, "--user", "4");
            Assert.Equal(1, r.Code);
            Assert.Equal("gpumf: Unknown user 4.", r.Err.Trim());
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void ValuesOutsideTheDeclaredRangeStopTraining()
    {
        string data = BadInputCorpusTests.Corpus("out-of-range.tsv");
        string model = TestData.TempPath(".gpumf");
        var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", model, "--value-range", "1..5");
        Assert.Equal(1, r.Code);
        Assert.Contains($"{data}:2: ", r.Err);
        Assert.Contains("7 is outside the declared range 1..5", r.Err);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void RepeatedPairsKeepTheirLastValueInTraining()
    {
        string model = TestData.TempPath(".gpumf");
        try
        {
            var r = CliRunner.Run("train", "--model", "svd", "--data", BadInputCorpusTests.Corpus("duplicate-pairs.tsv"), "--out", model, "--backend", "cpu", "--epochs", "2", "--factors", "2");
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains("2 interactions, 2 users × 1 items", r.Err);
            // The mean of the values kept: 5 (the last of user 1's two) and 4.
            Assert.Equal(4.5f, GpuMF.Models.FactorModel.Load(model).GlobalMean);
        }
        finally
        {
            File.Delete(model);
        }
    }
}
