using GpuMF.Conformance;
using GpuMF.Kernels.TopN;
using GpuMF.Models;
using GpuMF.Tests.Support;
using GpuMF.TopN;

namespace GpuMF.Tests.Scoring;

/// <summary>
/// The fused top-N kernel (<see cref="TopNKernel.Fused"/>) on ILGPU's CPU accelerator against the managed
/// CPU engine. There a group is 4 × 4 threads scoring blocks of 32 rows × 32 candidates, so the shapes
/// below leave partial blocks and tiles; N ≤ 16 keeps heaps in shared memory, larger N in device memory.
/// Integer factors make every score exact: the lists must then be identical, ties included.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class FusedTopNTests(IlgpuCpuFixture fixture)
{
    /// <summary>Rows, candidates, factors, N, integer factors, filters (bias, allow-list, seen lists), slices and rows per chunk forced (0: the engine's choice).</summary>
    [Theory]
    [InlineData(5, 3, 1, 1, true, true, 0, 0)]
    [InlineData(37, 101, 19, 10, true, true, 0, 0)]
    [InlineData(37, 101, 19, 1, false, true, 0, 0)]
    [InlineData(33, 97, 16, 16, true, false, 3, 0)]
    [InlineData(70, 67, 33, 17, true, true, 0, 0)]
    [InlineData(29, 67, 64, 1000, true, true, 0, 0)]
    [InlineData(41, 211, 7, 100, true, true, 2, 0)]
    [InlineData(41, 211, 7, 100, false, true, 0, 0)]
    [InlineData(45, 130, 5, 10, true, true, 0, 13)]
    [InlineData(3, 250, 2, 25, true, false, 8, 0)]
    public void MatchesTheCpuEngine(int rows, int candidates, int factors, int n, bool integral, bool filters, int slices, int maxRows)
    {
        var problem = TopNSelfTest.RandomProblem(rows, candidates, factors, seed: (ulong)(rows * 131 + candidates), integral, filters, similarity: false);
        AssertSameLists(problem, n, integral, slices, maxRows);
    }

    [Theory]
    [InlineData(50, 8, 5, false)]
    [InlineData(43, 5, 20, true)]
    public void MatchesTheCpuEngineOnSimilarity(int rows, int factors, int n, bool integral)
    {
        var problem = TopNSelfTest.RandomProblem(rows, rows, factors, seed: (ulong)(rows + factors), integral, filters: false, similarity: true);
        AssertSameLists(problem, n, integral, slices: 0, maxRows: 0);
    }

    /// <summary>Every score equal: the lists are the admissible items in index order, across tiles and slices.</summary>
    [Theory]
    [InlineData(10)]
    [InlineData(40)]
    public void EqualScoresGoToTheLowerIndex(int n)
    {
        var model = RandomModels.Create(11, 200, 8, seed: 3, integral: true, bias: false);
        Array.Clear(model.UserFactors);
        using var scorer = BatchScorer.ForRecommendations(model, fixture.Backend, kernel: TopNKernel.Fused);
        var lists = scorer.ScoreAll(n);
        for (int u = 0; u < model.Users.Count; u++)
        {
            var seen = model.SeenItems[model.SeenPtr[u]..model.SeenPtr[u + 1]];
            var expected = Enumerable.Range(0, 200).Where(i => Array.BinarySearch(seen, i) < 0).Take(n).Select(i => model.Items[i]);
            Assert.Equal(expected, lists.Ids(u).ToArray());
        }
    }

    [Theory]
    [InlineData(true, 12)]
    [InlineData(false, 12)]
    [InlineData(true, 100)]
    [InlineData(false, 100)]
    public void AllowAndDenyListsRestrictTheItems(bool allow, int n)
    {
        var model = RandomModels.Create(40, 70, 6, seed: 21, integral: true);
        var listed = Enumerable.Range(0, 70).Where(i => i % 3 == 1).Select(i => model.Items[i]).ToList();
        var filter = allow ? ItemFilter.Allow(listed) : ItemFilter.Deny(listed);
        using var scorer = BatchScorer.ForRecommendations(model, fixture.Backend, filter: filter, kernel: TopNKernel.Fused);
        var lists = scorer.ScoreAll(n);
        var set = listed.ToHashSet();
        for (int u = 0; u < model.Users.Count; u++)
        {
            var expected = RandomModels.FullSort(model, u, n, filterSeen: true, i => set.Contains(model.Items[i]) == allow);
            RankingAssert.Same(expected, lists.Ids(u), lists.Scores(u), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RecommendationsMatchAFullSort(bool filterSeen)
    {
        var model = RandomModels.Create(38, 75, 21, seed: 5);
        using var scorer = BatchScorer.ForRecommendations(model, fixture.Backend, filterSeen, kernel: TopNKernel.Fused);
        var lists = scorer.Score(model.Users.Ids.Reverse().ToList(), 10);
        for (int q = 0; q < lists.Count; q++)
        {
            int u = model.Users.Count - 1 - q;
            var expected = RandomModels.FullSort(model, u, 10, filterSeen);
            RankingAssert.Same(expected, lists.Ids(q), lists.Scores(q), model.Items.Ids, i => RankingAssert.Exact(model, u, i), integral: false);
        }
    }

    [Fact]
    public void SimilarItemsAndUsersMatchTheBlockedKernel()
    {
        var model = RandomModels.Create(35, 45, 9, seed: 17, integral: true);
        using (var fused = BatchScorer.ForSimilarItems(model, fixture.Backend, kernel: TopNKernel.Fused))
        using (var blocked = BatchScorer.ForSimilarItems(model, fixture.Backend))
        {
            AssertSame(blocked.ScoreAll(7), fused.ScoreAll(7));
        }
        using (var fused = BatchScorer.ForSimilarUsers(model, fixture.Backend, kernel: TopNKernel.Fused))
        using (var blocked = BatchScorer.ForSimilarUsers(model, fixture.Backend))
        {
            AssertSame(blocked.ScoreAll(30), fused.ScoreAll(30));
        }
    }

    /// <summary>Each 32-thread warp's stores of one staging pass land in 32 different shared-memory banks (the blocked kernel's land in 2).</summary>
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void StagingStoresOfAWarpFallInDistinctBanks(int side)
    {
        int threads = side * side;
        for (int pass = 0; pass < side * FusedTopNKernels.PerThread * FusedTopNKernels.Depth; pass += threads)
        {
            for (int warp = pass; warp < pass + threads; warp += 32)
            {
                Assert.Equal(32, Enumerable.Range(warp, 32).Select(e => FusedTopNKernels.StagedAt(e, side) % 32).Distinct().Count());
            }
        }
    }

    [Fact]
    public void TimingTheStagesChangesNoList()
    {
        var model = RandomModels.Create(23, 61, 9, seed: 8, integral: true);
        var problem = TopNProblems.Recommendations(model, filterSeen: true, allowed: null);
        int[] rows = Enumerable.Range(0, 23).ToArray();
        var plain = new TopNBuffer(23, 6);
        var timed = new TopNBuffer(23, 6);
        var stages = new StageSeconds();
        using (var engine = IlgpuTopNEngine.Create(fixture.Backend, problem, TopNKernel.Fused))
        {
            engine.Run(rows, plain);
        }
        using (var engine = IlgpuTopNEngine.Create(fixture.Backend, problem, TopNKernel.Fused, stages))
        {
            engine.Run(rows, timed);
        }
        Assert.Equal(plain.Indices, timed.Indices);
        Assert.Equal(plain.Counts, timed.Counts);
        Assert.True(stages.Score > 0 && stages.Select > 0 && stages.Other > 0);
    }

    /// <summary>The fused engine's lists of every row (in reverse, plus a repeat) against the CPU engine's: same lengths and ids, scores within rounding.</summary>
    private void AssertSameLists(TopNProblem problem, int n, bool integral, int slices, int maxRows)
    {
        int[] rows = Enumerable.Range(0, problem.QueryCount).Reverse().Append(problem.QueryCount / 2).ToArray();
        var expected = new TopNBuffer(rows.Length, n);
        var packed = PackedCandidates.Create(problem.Candidates, problem.CandidateCount, problem.Factors, problem.CandidateBias, problem.Allowed,
            PackedCandidates.RootMeanSquareNorm(problem.Queries, problem.QueryCount, problem.Factors));
        new CpuTopNEngine(problem, packed, 2).Run(rows, expected);
        var actual = new TopNBuffer(rows.Length, n);
        using (var engine = new FusedTopNEngine(fixture.Backend, problem, maxRows, slices))
        {
            engine.Run(rows, actual);
        }
        Assert.Equal(expected.Counts, actual.Counts);
        for (int r = 0; r < rows.Length; r++)
        {
            var want = expected.Row(r);
            var got = actual.Row(r);
            Assert.Equal(got.Length, got.Select(x => x.Index).Distinct().Count());
            for (int c = 0; c < want.Length; c++)
            {
                if (integral)
                {
                    Assert.Equal(want[c], got[c]);
                }
                else
                {
                    Assert.True(Math.Abs(want[c].Score - got[c].Score) <= 1e-4 * Math.Max(1, Math.Abs(want[c].Score)), $"row {rows[r]} rank {c + 1}: {got[c].Score} vs {want[c].Score}");
                    double exact = TopNSelfTest.ExactScore(problem, rows[r], got[c].Index);
                    Assert.True(Math.Abs(got[c].Score - exact) <= 1e-4 * Math.Max(1, Math.Abs(exact)), $"row {rows[r]} rank {c + 1}: item {got[c].Index} scored {got[c].Score}, exactly {exact}");
                    Assert.True(TopNSelfTest.Admissible(problem, rows[r], got[c].Index), $"row {rows[r]} got item {got[c].Index}, which it may not");
                }
            }
        }
    }

    private static void AssertSame(RankedLists expected, RankedLists actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int q = 0; q < expected.Count; q++)
        {
            Assert.Equal(expected.Ids(q).ToArray(), actual.Ids(q).ToArray());
            Assert.Equal(expected.Scores(q).ToArray(), actual.Scores(q).ToArray());
        }
    }
}
