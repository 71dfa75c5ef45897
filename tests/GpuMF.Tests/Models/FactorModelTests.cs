using GpuMF.Models;
using GpuMF.Tests.Scoring;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Models;

/// <summary>What a model answers without a backend; its recommendations and similarities are the suites' (Suites/RecommendSuite, SimilaritySuite).</summary>
public sealed class FactorModelTests
{
    [Fact]
    public void PredictAddsMeanBiasesAndDot()
    {
        var model = TestModels.Random(4, 6, 3, seed: 5);
        int u = 2, i = 4;
        float expected = model.GlobalMean + model.UserBias![u] + model.ItemBias![i]
            + Enumerable.Range(0, 3).Sum(f => model.UserFactors[u * 3 + f] * model.ItemFactors[i * 3 + f]);
        Assert.Equal(expected, model.Predict(model.Users[u], model.Items[i]), 4);
        Assert.Equal(model.GlobalMean + model.ItemBias[i], model.Predict(-1, model.Items[i]), 4);
    }

    [Fact]
    public void FoldedInUsersLoseTheirOwnItems()
    {
        var model = RandomModels.Create(20, 80, 8, seed: 13);
        var vector = new UserVector(model.UserFactors[(3 * 8)..(4 * 8)], 0f, [1, 5, 60]);
        var recs = model.Recommend(vector, 80);
        Assert.Equal(77, recs.Count);
        Assert.DoesNotContain(recs, r => r.Id == model.Items[5]);
        var scores = recs.Select(r => r.Score).ToArray();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var model = RandomModels.Create(4, 10, 3, seed: 1);
        var unknown = Assert.Throws<KeyNotFoundException>(() => model.RecommendAll([1000, 42], n: 3));
        Assert.Contains("42", unknown.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RecommendAll(n: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RecommendAll(n: BatchScorer.MaxN + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.RecommendIndex(4, 3));
        Assert.Throws<ArgumentException>(() => model.Recommend(new UserVector(new float[2], 0f, []), 3));
    }
}
