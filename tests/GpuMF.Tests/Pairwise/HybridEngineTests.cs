using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Tests.Pairwise;

/// <summary>The hybrid CPU engine against the plain one, and against itself.</summary>
public sealed class HybridEngineTests
{
    /// <summary>Options of a small run; WARP takes <paramref name="maxSampled"/> candidates.</summary>
    internal static PairwiseSettings Settings(string model, int factors, bool adagrad, bool itemBias, ulong seed, int maxSampled = 7) =>
        model == "bpr"
            ? new BprOptions { Factors = factors, Seed = seed, Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay, ItemBias = itemBias, InitStdDev = 0.3f }.ToSettings()
            : new WarpOptions { Factors = factors, Seed = seed, Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay, ItemBias = itemBias, InitStdDev = 1f, MaxSampled = maxSampled }.ToSettings();

    /// <summary>
    /// Trains a hybrid problem for <paramref name="epochs"/> epochs with step 0.05 decaying by 0.8, returning it, each
    /// epoch's result and the warps the ILGPU engine ran (0 on the CPU backend).
    /// </summary>
    internal static (HybridProblem Problem, EpochResult[] Epochs, int Warps) Train(ComputeBackend backend, int warps, PairwiseSettings settings, InteractionMatrix data, FeatureMatrix users, FeatureMatrix items, int epochs)
    {
        var problem = HybridRun.CreateProblem(settings, data, users, items);
        var results = new EpochResult[epochs];
        int warpsRun;
        using (var engine = backend.CreateEngine(new HybridEngineFactory(problem, warps)))
        {
            float lr = 0.05f;
            for (int e = 0; e < epochs; e++, lr *= 0.8f)
            {
                results[e] = engine.RunEpoch(e, lr);
            }
            engine.CopyTo(problem);
            warpsRun = engine is HybridIlgpuEngine device ? device.Warps : 0;
        }
        return (problem, results, warpsRun);
    }

    /// <summary>
    /// With identity features on both sides the hybrid engine (one thread) visits, draws and steps as the plain engine
    /// (one thread) does, so the embeddings equal the plain factors to rounding.
    /// </summary>
    [Theory]
    [InlineData("bpr", 7, true, true)]
    [InlineData("bpr", 33, false, true)]
    [InlineData("warp", 7, true, true)]
    [InlineData("warp", 33, true, false)]
    [InlineData("warp", 20, false, true)]
    public void IdentitySidesTrainAsThePlainEngine(string model, int factors, bool adagrad, bool itemBias)
    {
        var data = HybridData.RandomPositives(23, 31, 260, (ulong)factors);
        var settings = Settings(model, factors, adagrad, itemBias, (ulong)(factors * 7));
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var plain = PairwiseRun.CreateProblem(settings, data);
        var plainStats = default(EpochResult);
        using (var engine = cpu.CreateEngine(new PairwiseEngineFactory(plain)))
        {
            plainStats = engine.RunEpoch(0, 0.05f) + engine.RunEpoch(1, 0.04f);
            engine.CopyTo(plain);
        }
        var (hybrid, epochs, _) = Train(cpu, 0, settings, data, HybridRun.Identity(data.UserCount), HybridRun.Identity(data.ItemCount), 2);
        var hybridStats = epochs[0] + epochs[1];
        Assert.True(HybridData.MaxDifference(hybrid.UserEmbeddings, plain.P) < 1e-4, "user factors differ");
        Assert.True(HybridData.MaxDifference(hybrid.ItemEmbeddings, plain.Q) < 1e-4, "item factors differ");
        Assert.True(HybridData.MaxDifference(hybrid.ItemBiases, plain.ItemBias) < 1e-4, "item biases differ");
        Assert.True(HybridData.MaxDifference(hybrid.ItemSums, plain.ItemAccumulators) < 1e-4, "adagrad sums differ");
        Assert.Equal((plainStats.Samples, plainStats.Hits, plainStats.Trials), (hybridStats.Samples, hybridStats.Hits, hybridStats.Trials));
        Assert.Equal(plainStats.Loss, hybridStats.Loss, 1e-3 * Math.Max(1, plainStats.Loss));
    }

    /// <summary>One thread repeats a run bit for bit; several threads (Hogwild) still train every sample once per epoch.</summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void OneThreadRepeatsAndSeveralVisitEverySample(string model)
    {
        var data = HybridData.RandomPositives(40, 50, 700, 3);
        var users = HybridData.Random(40, 4, true, 1);
        var items = HybridData.Random(50, 6, true, 2);
        var settings = Settings(model, 12, true, true, 9);
        using var one = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var a = Train(one, 0, settings, data, users, items, 3);
        var b = Train(one, 0, settings, data, users, items, 3);
        Assert.Equal(a.Problem.UserEmbeddings, b.Problem.UserEmbeddings);
        Assert.Equal(a.Problem.ItemEmbeddings, b.Problem.ItemEmbeddings);
        Assert.Equal(a.Problem.ItemBiases, b.Problem.ItemBiases);
        using var three = ComputeBackend.Create(BackendKind.Cpu, 0, 3);
        var c = Train(three, 0, settings, data, users, items, 3);
        Assert.All(c.Epochs, e => Assert.Equal(data.Count, e.Samples));
        Assert.All(c.Problem.ItemEmbeddings, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(a.Problem.ItemEmbeddings, c.Problem.ItemEmbeddings);
    }
}
