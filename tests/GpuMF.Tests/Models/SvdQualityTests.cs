using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Svd;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Models;

/// <summary>SVD on MovieLens; cancellation, fold-in and checkpoints on every backend are the suites' (Suites/).</summary>
public sealed class SvdQualityTests
{
    /// <summary>The split's training and test ratings in one index space, only those of users up to <paramref name="lastUser"/>.</summary>
    private static (InteractionMatrix Train, InteractionMatrix Test) Split(string prefix, long lastUser = long.MaxValue)
    {
        RatingTable Read(string part)
        {
            var table = RatingFileReader.Read(TestData.Split($"{prefix}_{part}.tsv"));
            return table.Select(Enumerable.Range(0, table.Count).Where(n => table.Users[n] <= lastUser).ToArray());
        }
        return TrainingCases.Join(Read("train"), Read("test"));
    }

    /// <summary>
    /// bench/PEERS.md's target (test RMSE ≤ 0.845), and a regression bound 0.005 above what the defaults reach today on
    /// two threads (RMSE 0.8368, MAE 0.6579): the thread count is pinned, since the CPU backend's block
    /// partition, and with it the result, follows it.
    /// </summary>
    [Fact]
    public void DefaultsReachTheMovieLens1MBound()
    {
        var (train, test) = Split("ml1m_explicit");
        var reports = new List<EpochReport>();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var model = new SvdTrainer(backend: cpu).Fit(train, progress: new SyncProgress<EpochReport>(reports.Add));
        var m = RatingMetrics.Evaluate(model, test);
        Assert.True(m.Rmse <= 0.845, $"test RMSE {m.Rmse:F4} > 0.845");
        Assert.True(m.Rmse <= 0.8418, $"test RMSE {m.Rmse:F4} regressed from 0.8368");
        Assert.True(m.Mae <= 0.6629, $"test MAE {m.Mae:F4} regressed from 0.6579");
        Assert.Equal(SvdOptions.Defaults.Epochs, reports.Count);
        Assert.True(reports[^1].TrainLoss < reports[0].TrainLoss, "training loss should fall");
    }

    /// <summary>
    /// The SGD kernel on ILGPU's CPU accelerator, with the warps the launch rule picks, on the ML-100K ratings of
    /// users 1–200 (a fifth of the split, 17,756 ratings) for three epochs, a tenth of the work of eight epochs
    /// on the whole split: the test RMSE falls far below the untrained model's (1.17), to within 0.01 of what
    /// the CPU backend reaches from the same start (0.977).
    /// </summary>
    [Fact]
    public void KernelsLearnOnMovieLens100KOnIlgpuCpu()
    {
        var (train, test) = Split("ml100k_explicit", lastUser: 200);
        using var backend = ComputeBackend.Create(BackendKind.IlgpuCpu);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var options = SvdOptions.Defaults with { Factors = 16, Epochs = 3 };
        var rmse = RatingMetrics.Evaluate(new SvdTrainer(options, backend).Fit(train), test).Rmse;
        var untrained = RatingMetrics.Evaluate(new SvdTrainer(options with { Epochs = 1, LearningRate = 1e-6f }, backend).Fit(train), test).Rmse;
        var host = RatingMetrics.Evaluate(new SvdTrainer(options, cpu).Fit(train), test).Rmse;
        Assert.True(rmse < 0.985, $"RMSE on IlgpuCpu {rmse:F4} ≥ 0.985");
        Assert.True(rmse < untrained - 0.15, $"RMSE on IlgpuCpu {rmse:F4}, untrained {untrained:F4}");
        Assert.True(Math.Abs(rmse - host) < 0.01, $"RMSE on IlgpuCpu {rmse:F4}, on the CPU backend {host:F4}");
    }

    [Fact]
    public void SameSeedAndThreadsRepeatExactlyOnTheCpuBackend()
    {
        var (train, _) = Split("ml100k_explicit");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var options = SvdOptions.Defaults with { Epochs = 3 };
        var a = new SvdTrainer(options, backend).Fit(train);
        var b = new SvdTrainer(options, backend).Fit(train);
        Assert.Equal(a.UserFactors, b.UserFactors);
        Assert.Equal(a.ItemBias, b.ItemBias);
        var c = new SvdTrainer(options with { Seed = 7 }, backend).Fit(train);
        Assert.NotEqual(a.UserFactors, c.UserFactors);
    }

    [Fact]
    public void DivergenceNamesTheEpochAndSuggestsASmallerRate()
    {
        var (train, _) = Split("ml100k_explicit");
        var options = SvdOptions.Defaults with { LearningRate = 1f, LearningRateDecay = 1f, Regularization = 0, Epochs = 50 };
        var e = Assert.Throws<TrainingDivergedException>(() => new SvdTrainer(options).Fit(train));
        Assert.Contains("smaller learning rate", e.Message);
        Assert.InRange(e.Epoch, 1, 50);
    }

    [Fact]
    public void ValidationRmseIsReported()
    {
        var (train, test) = Split("ml100k_explicit");
        var reports = new List<EpochReport>();
        new SvdTrainer(SvdOptions.Defaults with { Epochs = 2 }).Fit(train, test, new SyncProgress<EpochReport>(reports.Add));
        Assert.All(reports, r => Assert.InRange(r.ValidationRmse ?? -1, 0.5, 1.5));
    }

    [Fact]
    public void InvalidOptionsNameTheOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SvdTrainer(SvdOptions.Defaults with { Factors = 0 }));
        Assert.Contains("Factors", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SvdTrainer(SvdOptions.Defaults with { LearningRate = -1 }));
    }
}
