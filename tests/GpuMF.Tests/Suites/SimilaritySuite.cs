using GpuMF.Backends;
using GpuMF.Models;
using GpuMF.Tests.Scoring;
using GpuMF.Tests.Support;
using GpuMF.TopN;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Similar items and users of one backend against a brute-force cosine sort, each query left out of its own
/// list; the single-query calls (managed CPU) against the same reference.
/// </summary>
public abstract class SimilaritySuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    [BackendFact]
    public void SimilarItemsAndUsersMatchACosineFullSort()
    {
        var model = RandomModels.Create(40, 50, 6, seed: 8);
        var ids = model.Items.Ids.Where((_, i) => i % 7 == 0).ToList();
        var lists = model.SimilarItems(ids, n: 9, backend: Backend);
        for (int q = 0; q < ids.Count; q++)
        {
            int i = model.Items.IndexOf(ids[q]);
            var expected = CosineFullSort(model.ItemFactors, model.Factors, model.Items.Count, i, 9, _ => true);
            double Exact(int j) => Cosine(model.ItemFactors, model.Factors, i, j);
            RankingAssert.Same(expected, lists.Ids(q), lists.Scores(q), model.Items.Ids, Exact, integral: false);
            var one = model.SimilarItems(ids[q], 9);
            RankingAssert.Same(expected, one.Select(s => s.Id).ToArray(), one.Select(s => s.Score).ToArray(), model.Items.Ids, Exact, integral: false);
        }
        var users = model.SimilarUsers([model.Users[0], model.Users[39]], n: 4, backend: Backend);
        for (int q = 0; q < 2; q++)
        {
            int u = q == 0 ? 0 : 39;
            var expected = CosineFullSort(model.UserFactors, model.Factors, model.Users.Count, u, 4, _ => true);
            double Exact(int v) => Cosine(model.UserFactors, model.Factors, u, v);
            RankingAssert.Same(expected, users.Ids(q), users.Scores(q), model.Users.Ids, Exact, integral: false);
            var one = model.SimilarUsers(model.Users[u], 4);
            RankingAssert.Same(expected, one.Select(s => s.Id).ToArray(), one.Select(s => s.Score).ToArray(), model.Users.Ids, Exact, integral: false);
        }
    }

    [BackendTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void SimilarItemsHonourAnAllowOrDenyList(bool allow)
    {
        var model = RandomModels.Create(10, 70, 9, seed: 4);
        var listed = Enumerable.Range(0, 70).Where(i => i % 4 == 0).Select(i => model.Items[i]).ToList();
        var queries = new long[] { model.Items[0], model.Items[33], model.Items[69] };
        var lists = model.SimilarItems(queries, n: 6, filter: allow ? ItemFilter.Allow(listed) : ItemFilter.Deny(listed), backend: Backend);
        for (int q = 0; q < queries.Length; q++)
        {
            int i = model.Items.IndexOf(queries[q]);
            var expected = CosineFullSort(model.ItemFactors, model.Factors, model.Items.Count, i, 6, j => (j % 4 == 0) == allow);
            RankingAssert.Same(expected, lists.Ids(q), lists.Scores(q), model.Items.Ids, j => Cosine(model.ItemFactors, model.Factors, i, j), integral: false);
        }
    }

    /// <summary>Item 103 points the way of item 100 at another length: cosine ranks it first, with similarity 1.</summary>
    [BackendFact]
    public void CosineIgnoresLengthAndLeavesTheItemOut()
    {
        var model = new FactorModel(ModelKind.Als, TestModels.Ids(1), TestModels.Ids(4, 100), 2, [1f, 0f],
            [1f, 0f, 10f, 1f, 0f, 1f, 2f, 0.1f], null, null, 0f, [0, 0], [], "{}");
        var sims = model.SimilarItems([100L], n: 3, backend: Backend);
        Assert.Equal([103L, 101L, 102L], sims.Ids(0).ToArray());
        Assert.Equal(1.0, sims.Scores(0)[0], 2);
        Assert.Equal(sims.Ids(0).ToArray(), model.SimilarItems(100, 3).Select(s => s.Id));
        Assert.Throws<KeyNotFoundException>(() => model.SimilarItems([999L], backend: Backend));
        Assert.Throws<KeyNotFoundException>(() => model.SimilarItems(999));
    }

    /// <summary>Every row but <paramref name="query"/> that <paramref name="allowed"/> admits, by cosine with it in double precision, descending, ties to the lower index.</summary>
    private static (int Index, double Score)[] CosineFullSort(float[] factors, int k, int rows, int query, int n, Func<int, bool> allowed) =>
        Enumerable.Range(0, rows).Where(j => j != query && allowed(j)).Select(j => (j, Cosine(factors, k, query, j)))
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

public sealed class CpuSimilaritySuite(CpuFixture fixture) : SimilaritySuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuSimilaritySuite(IlgpuCpuFixture fixture) : SimilaritySuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaSimilaritySuite(CudaFixture fixture) : SimilaritySuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClSimilaritySuite(OpenClFixture fixture) : SimilaritySuite(fixture);
