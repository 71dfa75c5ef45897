using GpuMF.Models;
using GpuMF.TopN;

namespace GpuMF.Tests.Scoring;

/// <summary>The managed CPU top-N path (blocked product, heap per row) against a full sort.</summary>
public sealed class CpuTopNTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, true, true)]
    [InlineData(7, 47, 19, 10, true, true)]
    [InlineData(9, 48, 33, 5, true, false)]
    [InlineData(65, 49, 64, 1000, true, true)]
    [InlineData(130, 301, 64, 10, true, true)]
    [InlineData(3, 20, 2, 19, true, true)]
    [InlineData(13, 97, 33, 19, false, true)]
    [InlineData(70, 500, 64, 33, false, true)]
    [InlineData(8, 145, 1, 64, false, false)]
    public void RecommendAllMatchesFullSort(int users, int items, int factors, int n, bool integral, bool filterSeen)
    {
        var model = RandomModels.Create(users, items, factors, seed: (ulong)(users * 7 + items), integral);
        var lists = model.RecommendAll(n: n, filterSeen: filterSeen);
        Assert.Equal(users, lists.Count);
        for (int u = 0; u < users; u++)
        {
            Assert.Equal(model.Users[u], lists.QueryId(u));
            var expected = RandomModels.FullSort(model, u, n, filterSeen);
            RankingAssert.Same(expected, lists.Ids(u), lists.Scores(u), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral);
        }
    }

    [Fact]
    public void EqualScoresGoToTheLowerIndex()
    {
        var model = RandomModels.Create(11, 200, 8, seed: 3, integral: true, bias: false);
        Array.Clear(model.UserFactors);
        var lists = model.RecommendAll(n: 20);
        for (int u = 0; u < model.Users.Count; u++)
        {
            var seen = model.SeenItems[model.SeenPtr[u]..model.SeenPtr[u + 1]];
            var expected = Enumerable.Range(0, 200).Where(i => Array.BinarySearch(seen, i) < 0).Take(20).Select(i => model.Items[i]);
            Assert.Equal(expected, lists.Ids(u).ToArray());
            Assert.All(lists.Scores(u).ToArray(), s => Assert.Equal(0f, s));
        }
    }

    [Fact]
    public void NLargerThanTheCatalogueReturnsEveryAdmissibleItemInOrder()
    {
        var model = RandomModels.Create(5, 13, 4, seed: 9, integral: true);
        var lists = model.RecommendAll(n: 1000);
        for (int u = 0; u < 5; u++)
        {
            int unseen = 13 - (model.SeenPtr[u + 1] - model.SeenPtr[u]);
            Assert.Equal(unseen, lists.Ids(u).Length);
            var scores = lists.Scores(u).ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AllowAndDenyListsRestrictTheItems(bool allow)
    {
        var model = RandomModels.Create(40, 150, 16, seed: 21, integral: true);
        var listed = Enumerable.Range(0, 150).Where(i => i % 3 == 1).Select(i => model.Items[i]).Append(99999).ToList();
        var filter = allow ? ItemFilter.Allow(listed) : ItemFilter.Deny(listed);
        Assert.Equal(1, filter.CountUnknown(model.Items));
        var lists = model.RecommendAll(n: 15, filter: filter);
        for (int u = 0; u < 40; u++)
        {
            var expected = RandomModels.FullSort(model, u, 15, filterSeen: true, i => (i % 3 == 1) == allow);
            RankingAssert.Same(expected, lists.Ids(u), lists.Scores(u), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral: true);
        }
    }

    [Fact]
    public void AnEmptyAllowListGivesEmptyLists()
    {
        var model = RandomModels.Create(3, 30, 4, seed: 2);
        var lists = model.RecommendAll(n: 5, filter: ItemFilter.Allow([123456]));
        Assert.Equal(3, lists.Count);
        Assert.All(Enumerable.Range(0, 3), u => Assert.Equal(0, lists.Ids(u).Length));
    }

    [Fact]
    public void SingleUserCallsGiveTheBatchLists()
    {
        var model = RandomModels.Create(77, 230, 24, seed: 5);
        var all = model.RecommendAll(n: 12);
        var some = model.Recommend([model.Users[40], model.Users[3], model.Users[40]], n: 12);
        for (int u = 0; u < 77; u++)
        {
            var one = model.Recommend(model.Users[u], 12);
            Assert.Equal(all[u], one);
            Assert.Equal(all.Ids(u).ToArray(), model.RecommendIndex(u, 12).Select(x => model.Items[x.Index]));
        }
        Assert.Equal(all[40], some[0]);
        Assert.Equal(all[3], some[1]);
        Assert.Equal(all[40], some[2]);
    }

    [Fact]
    public void SimilarItemsAndUsersMatchACosineFullSort()
    {
        var model = RandomModels.Create(60, 90, 12, seed: 8);
        var ids = model.Items.Ids.Where((_, i) => i % 7 == 0).ToList();
        var lists = model.SimilarItems(ids, n: 9);
        for (int q = 0; q < ids.Count; q++)
        {
            int i = model.Items.IndexOf(ids[q]);
            var expected = CosineFullSort(model.ItemFactors, model.Factors, model.Items.Count, i, 9);
            RankingAssert.Same(expected, lists.Ids(q), lists.Scores(q), model.Items.Ids, j => Cosine(model.ItemFactors, model.Factors, i, j), integral: false);
            Assert.Equal(lists[q], model.SimilarItems(ids[q], 9));
        }
        var users = model.SimilarUsers([model.Users[0], model.Users[59]], n: 4);
        for (int q = 0; q < 2; q++)
        {
            int u = q == 0 ? 0 : 59;
            var expected = CosineFullSort(model.UserFactors, model.Factors, model.Users.Count, u, 4);
            RankingAssert.Same(expected, users.Ids(q), users.Scores(q), model.Users.Ids, v => Cosine(model.UserFactors, model.Factors, u, v), integral: false);
            Assert.Equal(users[q], model.SimilarUsers(model.Users[u], 4));
        }
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

    private static (int Index, double Score)[] CosineFullSort(float[] factors, int k, int rows, int query, int n) =>
        Enumerable.Range(0, rows).Where(j => j != query).Select(j => (j, Cosine(factors, k, query, j)))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.j).Take(n).ToArray();

    private static double Cosine(float[] factors, int k, int a, int b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int f = 0; f < k; f++)
        {
            dot += (double)factors[a * k + f] * factors[b * k + f];
            na += (double)factors[a * k + f] * factors[a * k + f];
            nb += (double)factors[b * k + f] * factors[b * k + f];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
