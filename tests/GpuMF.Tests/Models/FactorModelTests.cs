using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Models;

public sealed class FactorModelTests
{
    [Fact]
    public void RecommendMatchesAFullSortWithSeenItemsLeftOut()
    {
        var model = TestModels.Random(20, 57, 7, seed: 11, seenPerUser: 5);
        for (int u = 0; u < 20; u++)
        {
            var seen = model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]).ToArray();
            var expected = Enumerable.Range(0, 57).Where(i => !seen.Contains(i))
                .Select(i => (Index: i, Score: model.Score(u, i))).OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(10).ToArray();
            var actual = model.Recommend(model.Users[u], 10);
            Assert.Equal(expected.Select(x => model.Items[x.Index]), actual.Select(x => x.Id));
        }
    }

    [Fact]
    public void NLargerThanTheCatalogueReturnsEveryUnseenItem()
    {
        var model = TestModels.Random(3, 9, 4, seed: 2, seenPerUser: 3);
        var recs = model.Recommend(model.Users[0], 100);
        Assert.Equal(9 - (model.SeenPtr[1] - model.SeenPtr[0]), recs.Count);
        Assert.Equal(recs.Select(r => r.Score).OrderDescending(), recs.Select(r => r.Score));
    }

    [Fact]
    public void TiesGoToTheLowerItemIndex()
    {
        var model = new FactorModel(ModelKind.Als, TestModels.Ids(1), TestModels.Ids(5, 100), 1, [1f], [1f, 2f, 2f, 1f, 2f], null, null, 0f, [0, 0], [], "{}");
        Assert.Equal([101L, 102L, 104L, 100L], model.Recommend(1, 4).Select(r => r.Id));
    }

    [Fact]
    public void SimilarItemsUseCosineAndLeaveTheItemOut()
    {
        var model = new FactorModel(ModelKind.Als, TestModels.Ids(1), TestModels.Ids(4, 100), 2, [1f, 0f],
            [1f, 0f, 10f, 1f, 0f, 1f, 2f, 0.1f], null, null, 0f, [0, 0], [], "{}");
        var sims = model.SimilarItems(100, 3);
        Assert.Equal([103L, 101L, 102L], sims.Select(s => s.Id));
        Assert.Equal(1.0, sims[0].Score, 2);
        Assert.Throws<KeyNotFoundException>(() => model.SimilarItems(999));
    }

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
}
