using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Conformance;

/// <summary>
/// The hybrid BPR and WARP kernels (features on both sides) against the managed CPU backend: one warp against one
/// CPU thread over two epochs, drawing the same samples. Every embedding, bias and adagrad sum, the loss and the
/// counts must agree. Random feature rows (identity columns at random weights, named features shared by several
/// entities, entities without any), sizes that are not multiples of any warp or group size.
/// </summary>
public static class HybridSelfTest
{
    /// <summary>Two epochs of hybrid BPR (<paramref name="warp"/> false) or WARP.</summary>
    public static SelfTestResult Epoch(ComputeBackend backend, bool warp, int users, int items, int positives, int named, int factors, ulong seed, bool adagrad = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (!backend.IsIlgpu)
        {
            throw new ArgumentException("The self-test checks ILGPU kernels: pass a CUDA, OpenCL or ILGPU CPU backend.", nameof(backend));
        }
        var schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay;
        var settings = warp
            ? new WarpOptions { Factors = factors, Seed = seed, Schedule = schedule, InitStdDev = 1f, MaxSampled = 11 }.ToSettings()
            : new BprOptions { Factors = factors, Seed = seed, Schedule = schedule, InitStdDev = 0.3f }.ToSettings();
        var data = PairwiseSelfTest.RandomPositives(users, items, positives, seed);
        var userFeatures = RandomFeatures(users, named, identity: true, seed + 1);
        var itemFeatures = RandomFeatures(items, named + 1, identity: true, seed + 2);
        EpochResult Train(ComputeBackend on, int warps, HybridProblem problem)
        {
            using var engine = on.CreateEngine(new HybridEngineFactory(problem, warps));
            var result = engine.RunEpoch(0, 0.05f) + engine.RunEpoch(1, 0.04f);
            engine.CopyTo(problem);
            return result;
        }
        var expected = HybridRun.CreateProblem(settings, data, userFeatures, itemFeatures);
        EpochResult cpuStats;
        using (var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1))
        {
            cpuStats = Train(cpu, 0, expected);
        }
        var actual = HybridRun.CreateProblem(settings, data, userFeatures, itemFeatures);
        var clock = Stopwatch.StartNew();
        var deviceStats = Train(backend, 1, actual);
        string shape = $"{users}u×{items}i, {positives} pairs, {named}+{named + 1} features, k={factors}, {(adagrad ? "adagrad" : "sgd")}";
        return PairwiseSelfTest.Result(warp ? "hybrid-warp-epoch" : "hybrid-bpr-epoch", shape, clock.Elapsed.TotalSeconds, deviceStats, cpuStats,
            (actual.UserEmbeddings, expected.UserEmbeddings),
            (actual.ItemEmbeddings, expected.ItemEmbeddings),
            (actual.ItemBiases, expected.ItemBiases),
            (actual.UserSums, expected.UserSums),
            (actual.ItemSums, expected.ItemSums),
            (actual.BiasSums, expected.BiasSums));
    }

    /// <summary>
    /// Random feature rows: each entity's identity column (when <paramref name="identity"/>) at a weight in [0.5, 1.5),
    /// then up to three of the <paramref name="named"/> features at weights in [0, 1); some entities get none.
    /// </summary>
    internal static FeatureMatrix RandomFeatures(int rows, int named, bool identity, ulong seed)
    {
        var rng = new XorShiftRandom(seed, 5);
        int identityCount = identity ? rows : 0;
        var ptr = new List<int> { 0 };
        var columns = new List<int>();
        var weights = new List<float>();
        for (int e = 0; e < rows; e++)
        {
            if (identity)
            {
                columns.Add(e);
                weights.Add(0.5f + rng.NextFloat());
            }
            foreach (int g in Enumerable.Range(0, rng.NextInt(4)).Select(_ => rng.NextInt(named)).Distinct())
            {
                columns.Add(identityCount + g);
                weights.Add(rng.NextFloat());
            }
            ptr.Add(columns.Count);
        }
        return new FeatureMatrix(new IdMap(Enumerable.Range(0, named).Select(g => $"f{g}")), identityCount, [.. ptr], [.. columns], [.. weights]);
    }
}
