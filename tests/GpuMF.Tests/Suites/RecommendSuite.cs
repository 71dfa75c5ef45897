using GpuMF.Backends;
using GpuMF.Tests.Scoring;
using GpuMF.Tests.Support;
using GpuMF.TopN;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Recommendations of one backend against a brute-force full sort: training items left out, allow- and
/// deny-lists, ties to the lower item index, and the batch path (<c>RecommendAll</c>, on the backend) giving
/// every user the list of the per-user calls (<c>Recommend</c>, on the managed CPU). Integer factors make
/// every score exact, so lists must be identical, ties included; otherwise scores may differ by rounding.
/// </summary>
public abstract class RecommendSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    /// <summary>Shapes of one and of several blocks of 64 users, N below and above the catalogue, with and without training items left out.</summary>
    [BackendTheory]
    [InlineData(1, 1, 1, 1, true, true)]
    [InlineData(7, 47, 19, 10, true, true)]
    [InlineData(9, 48, 33, 5, true, false)]
    [InlineData(65, 30, 4, 1000, true, true)]
    [InlineData(130, 23, 3, 10, true, true)]
    [InlineData(3, 20, 2, 19, true, true)]
    [InlineData(13, 97, 33, 19, false, true)]
    [InlineData(70, 40, 6, 33, false, true)]
    [InlineData(8, 145, 1, 64, false, false)]
    public void RecommendAllMatchesAFullSort(int users, int items, int factors, int n, bool integral, bool filterSeen)
    {
        var model = RandomModels.Create(users, items, factors, seed: (ulong)(users * 7 + items), integral);
        var lists = model.RecommendAll(n: n, filterSeen: filterSeen, backend: Backend);
        Assert.Equal(users, lists.Count);
        for (int u = 0; u < users; u++)
        {
            Assert.Equal(model.Users[u], lists.QueryId(u));
            var expected = RandomModels.FullSort(model, u, n, filterSeen);
            RankingAssert.Same(expected, lists.Ids(u), lists.Scores(u), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral);
        }
    }

    [BackendFact]
    public void EqualScoresGoToTheLowerIndex()
    {
        var model = RandomModels.Create(11, 200, 8, seed: 3, integral: true, bias: false);
        Array.Clear(model.UserFactors);
        var lists = model.RecommendAll(n: 20, backend: Backend);
        for (int u = 0; u < model.Users.Count; u++)
        {
            var seen = model.SeenItems[model.SeenPtr[u]..model.SeenPtr[u + 1]];
            var expected = Enumerable.Range(0, 200).Where(i => Array.BinarySearch(seen, i) < 0).Take(20).Select(i => model.Items[i]);
            Assert.Equal(expected, lists.Ids(u).ToArray());
            Assert.All(lists.Scores(u).ToArray(), s => Assert.Equal(0f, s));
        }
    }

    [BackendFact]
    public void NLargerThanTheCatalogueReturnsEveryAdmissibleItemInOrder()
    {
        var model = RandomModels.Create(5, 13, 4, seed: 9, integral: true);
        var lists = model.RecommendAll(n: 1000, backend: Backend);
        for (int u = 0; u < 5; u++)
        {
            int unseen = 13 - (model.SeenPtr[u + 1] - model.SeenPtr[u]);
            Assert.Equal(unseen, lists.Ids(u).Length);
            var scores = lists.Scores(u).ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
        }
    }

    [BackendTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void AllowAndDenyListsRestrictTheItems(bool allow)
    {
        var model = RandomModels.Create(40, 60, 6, seed: 21, integral: true);
        var listed = Enumerable.Range(0, 60).Where(i => i % 3 == 1).Select(i => model.Items[i]).Append(99999).ToList();
        var filter = allow ? ItemFilter.Allow(listed) : ItemFilter.Deny(listed);
        Assert.Equal(1, filter.CountUnknown(model.Items));
        var lists = model.RecommendAll(n: 15, filter: filter, backend: Backend);
        for (int u = 0; u < 40; u++)
        {
            var expected = RandomModels.FullSort(model, u, 15, filterSeen: true, i => (i % 3 == 1) == allow);
            RankingAssert.Same(expected, lists.Ids(u), lists.Scores(u), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral: true);
        }
    }

    [BackendFact]
    public void AnEmptyAllowListGivesEmptyLists()
    {
        var model = RandomModels.Create(3, 30, 4, seed: 2);
        var lists = model.RecommendAll(n: 5, filter: ItemFilter.Allow([123456]), backend: Backend);
        Assert.Equal(3, lists.Count);
        Assert.All(Enumerable.Range(0, 3), u => Assert.Equal(0, lists.Ids(u).Length));
    }

    [BackendFact]
    public void RecommendAllEqualsPerUserRecommend()
    {
        var model = RandomModels.Create(77, 40, 6, seed: 5, integral: true);
        var all = model.RecommendAll(n: 12, backend: Backend);
        var some = model.RecommendAll([model.Users[40], model.Users[3], model.Users[40]], n: 12, backend: Backend);
        for (int u = 0; u < 77; u++)
        {
            Assert.Equal(all[u], model.Recommend(model.Users[u], 12));
            Assert.Equal(all.Ids(u).ToArray(), model.RecommendIndex(u, 12).Select(x => model.Items[x.Index]));
        }
        Assert.Equal(all[40], some[0]);
        Assert.Equal(all[3], some[1]);
        Assert.Equal(all[40], some[2]);
        Assert.Equal(all[3], model.Recommend([model.Users[3]], n: 12)[0]);
    }
}

public sealed class CpuRecommendSuite(CpuFixture fixture) : RecommendSuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuRecommendSuite(IlgpuCpuFixture fixture) : RecommendSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaRecommendSuite(CudaFixture fixture) : RecommendSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClRecommendSuite(OpenClFixture fixture) : RecommendSuite(fixture);
