using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Ranking;

/// <summary>
/// BPR and WARP with their defaults on the ML-1M implicit split (bench/PEERS.md), on the CPU backend with two threads
/// (the block partition, and with it the exact result, follows the thread count): the targets, regression bounds
/// 0.008 below what each reaches today, and the same quality with one thread as with sixteen.
/// </summary>
public sealed class PairwiseQualityTests
{
    private static (InteractionMatrix Train, InteractionMatrix Test) Split()
    {
        static RatingTable Positives(string path)
        {
            var table = RatingFileReader.Read(path, RatingFileFormat.FromFileName(path));
            var ones = new RatingTable(table.Count);
            for (int k = 0; k < table.Count; k++)
            {
                ones.Add(table.Users[k], table.Items[k], 1f);
            }
            return ones;
        }
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(Positives(TestData.Split("ml1m_implicit_train.tsv")), DuplicatePolicy.KeepLast, users, items);
        var test = InteractionMatrix.Build(Positives(TestData.Split("ml1m_implicit_test.tsv")), DuplicatePolicy.KeepLast, users, items);
        return (InteractionMatrix.FromIndices(users, items, train.EntryUsers(), train.UserItems, train.UserValues), test);
    }

    [Fact]
    public void BprDefaultsReachTheTarget()
    {
        var (train, test) = Split();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var m = RankingMetrics.Evaluate(new BprTrainer(backend: cpu).Fit(train), test);
        Assert.True(m.Precision >= 0.19, $"BPR P@10 {m.Precision:F4} < 0.19");
        Assert.True(m.AucFull >= 0.9, $"BPR full AUC {m.AucFull:F4} < 0.9");
        Assert.True(m.Precision >= 0.2747, $"BPR P@10 {m.Precision:F4} regressed from 0.2827");
        Assert.True(m.Ndcg >= 0.2641, $"BPR NDCG@10 {m.Ndcg:F4} regressed from 0.2721");
    }

    [Fact]
    public void WarpDefaultsReachTheTarget()
    {
        var (train, test) = Split();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var m = RankingMetrics.Evaluate(new WarpTrainer(backend: cpu).Fit(train), test);
        Assert.True(m.Precision >= 0.286, $"WARP P@10 {m.Precision:F4} < 0.286");
        Assert.True(m.Ndcg >= 0.275, $"WARP NDCG@10 {m.Ndcg:F4} < 0.275");
        Assert.True(m.Precision >= 0.2976, $"WARP P@10 {m.Precision:F4} regressed from 0.3056");
        Assert.True(m.Ndcg >= 0.2880, $"WARP NDCG@10 {m.Ndcg:F4} regressed from 0.2960");
    }

    /// <summary>
    /// One thread and sixteen (blocks of about 230 items) reach P@10 within 0.005 of each other (issue 16): the
    /// epoch's sweeps keep each user's steps from coming in one long run per item block. With whole cells
    /// WARP fell from 0.3056 to 0.2873.
    /// </summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void TheThreadCountDoesNotChangeTheQuality(string model)
    {
        var (train, test) = Split();
        double PrecisionWith(int threads)
        {
            using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
            var trained = model == "bpr" ? new BprTrainer(backend: cpu).Fit(train) : new WarpTrainer(backend: cpu).Fit(train);
            return RankingMetrics.Evaluate(trained, test).Precision;
        }
        double one = PrecisionWith(1);
        double sixteen = PrecisionWith(16);
        Assert.True(Math.Abs(one - sixteen) <= 0.005, $"{model} P@10 {one:F4} with one thread, {sixteen:F4} with sixteen");
    }
}
