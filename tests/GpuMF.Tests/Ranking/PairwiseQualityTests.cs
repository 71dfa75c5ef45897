using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Ranking;

/// <summary>
/// BPR and WARP with their defaults on the ML-1M implicit split (bench/PEERS.md), on the CPU backend with two threads
/// (the block partition, and with it the result, follows the thread count): the targets, and regression bounds
/// 0.008 below what each reaches today.
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
        Assert.True(m.Precision >= 0.2744, $"BPR P@10 {m.Precision:F4} regressed from 0.2824");
        Assert.True(m.Ndcg >= 0.2638, $"BPR NDCG@10 {m.Ndcg:F4} regressed from 0.2718");
    }

    [Fact]
    public void WarpDefaultsReachTheTarget()
    {
        var (train, test) = Split();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var m = RankingMetrics.Evaluate(new WarpTrainer(backend: cpu).Fit(train), test);
        Assert.True(m.Precision >= 0.286, $"WARP P@10 {m.Precision:F4} < 0.286");
        Assert.True(m.Ndcg >= 0.275, $"WARP NDCG@10 {m.Ndcg:F4} < 0.275");
        Assert.True(m.Precision >= 0.2933, $"WARP P@10 {m.Precision:F4} regressed from 0.3013");
        Assert.True(m.Ndcg >= 0.2840, $"WARP NDCG@10 {m.Ndcg:F4} regressed from 0.2920");
    }
}
