using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Quality;

public sealed class AlsQualityTests
{
    /// <summary>
    /// bench/PEERS.md's ALS targets on the ML-1M implicit split with GpuMF's defaults (64 factors, 15 iterations), for
    /// both solvers, and regression bounds 0.005 below what each reaches today (P@10 0.3339 and 0.3341, NDCG@10
    /// 0.3273). ALS on the CPU backend does not depend on the thread count; it is pinned all the same, as in the
    /// other quality tests.
    /// </summary>
    [Theory]
    [InlineData(AlsSolver.ConjugateGradient, 0.3289, 0.3223)]
    [InlineData(AlsSolver.Cholesky, 0.3291, 0.3223)]
    public void MovieLens1MMeetsTheRankingTargets(AlsSolver solver, double precisionToday, double ndcgToday)
    {
        var (train, test) = ImplicitSplit("ml1m");
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var model = new AlsTrainer(AlsOptions.Defaults with { Solver = solver }, cpu).Fit(train);
        var m = RankingMetrics.Evaluate(model, test, 10);
        Assert.Equal(6035, m.Users);
        Assert.True(m.Precision >= 0.298, $"P@10 {m.Precision:F4} < 0.298");
        Assert.True(m.Ndcg >= 0.292, $"NDCG@10 {m.Ndcg:F4} < 0.292");
        Assert.True(m.AucFull >= 0.9, $"full AUC {m.AucFull:F4} < 0.9");
        Assert.True(m.Precision >= precisionToday, $"P@10 {m.Precision:F4} regressed below {precisionToday}");
        Assert.True(m.Ndcg >= ndcgToday, $"NDCG@10 {m.Ndcg:F4} regressed below {ndcgToday}");
    }

    /// <summary>The splits' index space as <c>gpumf evaluate</c> builds it: training ids first, then test-only ids, every row a positive of value 1.</summary>
    private static (InteractionMatrix Train, InteractionMatrix Test) ImplicitSplit(string name)
    {
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(Positives(TestData.Split($"{name}_implicit_train.tsv")), DuplicatePolicy.KeepLast, users, items);
        var test = InteractionMatrix.Build(Positives(TestData.Split($"{name}_implicit_test.tsv")), DuplicatePolicy.KeepLast, users, items);
        return (InteractionMatrix.FromIndices(users, items, train.EntryUsers(), train.UserItems, train.UserValues), test);
    }

    private static RatingTable Positives(string path)
    {
        var table = RatingFileReader.Read(path, RatingFileFormat.Parse("tsv"));
        var positives = new RatingTable(table.Count);
        for (int n = 0; n < table.Count; n++)
        {
            positives.Add(table.Users[n], table.Items[n], 1f);
        }
        return positives;
    }
}
