using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Pairwise;
using GpuMF.Models;
using GpuMF.Pairwise;

namespace GpuMF.Tests.Pairwise;

/// <summary>
/// <see cref="PairwiseProblem.RestrictedNegatives"/> on the managed CPU engines: the restricted positives draw their
/// negatives from the range alone (an item row outside it that no positive names never moves), the others from the
/// whole catalogue, WARP's rank estimate counts the range's items, and the engines that cannot draw so refuse.
/// </summary>
public sealed class RestrictedNegativesTests
{
    private const int Users = 40;
    private const int Items = 60;
    private const int K = 8;

    // The range the restricted positives draw from: a third of the catalogue, enough that every item block of up to
    // four threads holds some of it.
    private const int First = 30;
    private const int End = 50;

    [Theory]
    [InlineData(ModelKind.Bpr, 1)]
    [InlineData(ModelKind.Bpr, 2)]
    [InlineData(ModelKind.Bpr, 4)]
    [InlineData(ModelKind.Warp, 1)]
    [InlineData(ModelKind.Warp, 2)]
    [InlineData(ModelKind.Warp, 4)]
    public void RestrictedPositivesDrawTheirNegativesFromTheRangeAlone(ModelKind kind, int threads)
    {
        var problem = Problem(kind) with { RestrictedNegatives = new NegativeRange(0, First, End) };
        var before = (float[])problem.Q.Clone();

        Train(problem, threads);

        var positives = problem.Items.ToHashSet();
        var moved = Enumerable.Range(0, Items).Where(i => Moved(before, problem.Q, i)).ToList();
        Assert.All(moved.Where(i => !positives.Contains(i)), i => Assert.InRange(i, First, End - 1));
        // The range's items are drawn, and move: most of them, after three epochs of 200 positives.
        Assert.True(moved.Count(i => i is >= First and < End && !positives.Contains(i)) >= (End - First) / 2, $"moved: {string.Join(' ', moved)}");
    }

    [Theory]
    [InlineData(ModelKind.Bpr)]
    [InlineData(ModelKind.Warp)]
    public void PositivesBeforeTheRestrictedOnesDrawFromTheWholeCatalogue(ModelKind kind)
    {
        var problem = Problem(kind);
        problem = problem with { RestrictedNegatives = new NegativeRange(problem.Positives / 2, First, End) };
        var before = (float[])problem.Q.Clone();

        Train(problem, 2);

        var positives = problem.Items.ToHashSet();
        int outside = Enumerable.Range(0, Items).Count(i => (i < First || i >= End) && !positives.Contains(i) && Moved(before, problem.Q, i));
        Assert.True(outside >= 5, $"{outside} items outside the range moved");
    }

    [Fact]
    public void WarpCountsTheRangeAsTheCatalogueOfARestrictedPositive()
    {
        // One user, one positive (item 0, outside the range) and every item's row alike, so the first candidate violates by
        // exactly the margin: the loss is the rank weight of ⌊(catalogue − 1)/1⌋, the range's 20 items rather than all 60.
        var restricted = WarpLossOfOnePositive(new NegativeRange(0, First, End));
        var whole = WarpLossOfOnePositive(null);

        Assert.Equal(PairwiseSgd.RankWeight(End - First - 1) * WarpLossKernels.Margin, restricted, 5);
        Assert.Equal(PairwiseSgd.RankWeight(Items - 1) * WarpLossKernels.Margin, whole, 5);
    }

    [Theory]
    [InlineData(-1, First, End)]
    [InlineData(201, First, End)]
    [InlineData(0, -1, End)]
    [InlineData(0, First, Items + 1)]
    [InlineData(0, First, First)]
    public void ARangeOutsideTheProblemIsRefused(int fromPositive, int first, int end)
    {
        var problem = Problem(ModelKind.Bpr) with { RestrictedNegatives = new NegativeRange(fromPositive, first, end) };

        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new PairwiseEngineFactory(problem).ForManagedCpu(1).Dispose());
    }

    [Fact]
    public void TheIlgpuEngineRefusesRestrictedNegatives()
    {
        using var backend = ComputeBackend.Create(BackendKind.IlgpuCpu);
        var problem = Problem(ModelKind.Bpr) with { RestrictedNegatives = new NegativeRange(0, First, End) };

        var error = Assert.Throws<NotSupportedException>(() => backend.CreateEngine(new PairwiseEngineFactory(problem, 1)).Dispose());
        Assert.Contains("managed CPU", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// 40 users with five positives each among items 0..29 (so that every positive lies outside the range), random
    /// rows, at the model's defaults but for the width.
    /// </summary>
    private static PairwiseProblem Problem(ModelKind kind)
    {
        var rng = new Random(11);
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < Users; u++)
        {
            foreach (int i in Enumerable.Range(0, First).OrderBy(_ => rng.Next()).Take(5).Order())
            {
                users.Add(u);
                items.Add(i);
            }
        }
        var matrix = InteractionMatrix.FromIndices(
            new IdMap(Enumerable.Range(0, Users).Select(u => (long)u)),
            new IdMap(Enumerable.Range(0, Items).Select(i => (long)i)),
            [.. users],
            [.. items],
            [.. Enumerable.Repeat(1f, users.Count)]);
        var problem = PairwiseRun.CreateProblem(Settings(kind), matrix);
        for (int n = 0; n < problem.P.Length; n++)
        {
            problem.P[n] = (float)(rng.NextDouble() - 0.5);
        }
        for (int n = 0; n < problem.Q.Length; n++)
        {
            problem.Q[n] = (float)(rng.NextDouble() - 0.5);
        }
        return problem;
    }

    private static PairwiseSettings Settings(ModelKind kind) =>
        kind == ModelKind.Bpr ? new BprOptions { Factors = K, Epochs = 3 }.ToSettings() : new WarpOptions { Factors = K, Epochs = 3 }.ToSettings();

    private static void Train(PairwiseProblem problem, int threads)
    {
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        using var engine = cpu.CreateEngine(new PairwiseEngineFactory(problem));
        for (int epoch = 0; epoch < problem.Settings.Epochs; epoch++)
        {
            engine.RunEpoch(epoch, problem.Settings.LearningRate);
        }
        engine.CopyTo(problem);
    }

    private static bool Moved(float[] before, float[] after, int item) =>
        !before.AsSpan(item * K, K).SequenceEqual(after.AsSpan(item * K, K));

    private static double WarpLossOfOnePositive(NegativeRange? range)
    {
        var matrix = InteractionMatrix.FromIndices(
            new IdMap([1L]),
            new IdMap(Enumerable.Range(0, Items).Select(i => (long)i)),
            [0],
            [0],
            [1f]);
        var problem = PairwiseRun.CreateProblem(Settings(ModelKind.Warp) with { ItemBias = false }, matrix) with { RestrictedNegatives = range };
        Array.Fill(problem.P, 0.5f);
        Array.Fill(problem.Q, 0.25f);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        using var engine = cpu.CreateEngine(new PairwiseEngineFactory(problem));
        var stats = engine.RunEpoch(0, 0.01f);
        Assert.Equal((1L, 1L, 1L), (stats.Samples, stats.Hits, stats.Trials));
        return stats.Loss;
    }
}
