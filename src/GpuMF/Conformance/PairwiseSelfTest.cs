using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Conformance;

/// <summary>
/// The BPR and WARP kernels against the managed CPU backend: one warp against one CPU thread, either on
/// samples drawn from the random streams (the two draw the same ones) or on a fixed list of given
/// samples (the deterministic mode). Every factor, bias and adagrad sum, the loss and the counts must agree.
/// Inputs are seeded and random, with sizes that are not multiples of any warp or group size.
/// </summary>
public static class PairwiseSelfTest
{
    /// <summary>Two BPR epochs drawn from the streams.</summary>
    public static SelfTestResult BprEpoch(ComputeBackend backend, int users, int items, int positives, int factors, ulong seed, bool adagrad = true, bool itemBias = true, bool rejectObserved = true)
    {
        var options = new BprOptions
        {
            Factors = factors,
            Seed = seed,
            Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay,
            ItemBias = itemBias,
            RejectObservedNegatives = rejectObserved,
            InitStdDev = 0.3f,
        };
        return Compare(backend, "bpr-epoch", Describe(users, items, positives, factors, adagrad, itemBias) + (rejectObserved ? ", rejecting" : ""),
            options.ToSettings(), RandomPositives(users, items, positives, seed), engine => engine.RunEpoch(0, 0.05f) + engine.RunEpoch(1, 0.04f));
    }

    /// <summary>BPR on <paramref name="samples"/> given triples, some with j = i or j observed.</summary>
    public static SelfTestResult BprGiven(ComputeBackend backend, int users, int items, int positives, int samples, int factors, ulong seed, bool adagrad = true)
    {
        var options = new BprOptions
        {
            Factors = factors,
            Seed = seed,
            Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay,
            InitStdDev = 0.3f,
        };
        var matrix = RandomPositives(users, items, positives, seed);
        var given = RandomSamples(matrix, samples, 1, seed);
        return Compare(backend, "bpr-given", Describe(users, items, positives, factors, adagrad, true) + $", {samples} triples",
            options.ToSettings(), matrix, engine => engine.RunGiven(given, 0.05f));
    }

    /// <summary>Two WARP epochs drawn from the streams.</summary>
    public static SelfTestResult WarpEpoch(ComputeBackend backend, int users, int items, int positives, int factors, int maxSampled, ulong seed, bool adagrad = true, bool itemBias = true)
    {
        var options = new WarpOptions
        {
            Factors = factors,
            Seed = seed,
            MaxSampled = maxSampled,
            Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay,
            ItemBias = itemBias,
            InitStdDev = 1f,
        };
        return Compare(backend, "warp-epoch", Describe(users, items, positives, factors, adagrad, itemBias) + $", max sampled {maxSampled}",
            options.ToSettings(), RandomPositives(users, items, positives, seed), engine => engine.RunEpoch(0, 0.05f) + engine.RunEpoch(1, 0.04f));
    }

    /// <summary>WARP on <paramref name="samples"/> given positives with MaxSampled candidates each, observed items among them.</summary>
    public static SelfTestResult WarpGiven(ComputeBackend backend, int users, int items, int positives, int samples, int factors, int maxSampled, ulong seed, bool adagrad = true)
    {
        var options = new WarpOptions
        {
            Factors = factors,
            Seed = seed,
            MaxSampled = maxSampled,
            Schedule = adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay,
            InitStdDev = 1f,
        };
        var matrix = RandomPositives(users, items, positives, seed);
        var given = RandomSamples(matrix, samples, maxSampled, seed);
        return Compare(backend, "warp-given", Describe(users, items, positives, factors, adagrad, true) + $", {samples} samples × {maxSampled}",
            options.ToSettings(), matrix, engine => engine.RunGiven(given, 0.05f));
    }

    private static string Describe(int users, int items, int positives, int factors, bool adagrad, bool itemBias) =>
        $"{users}u×{items}i, {positives} pairs, k={factors}, {(adagrad ? "adagrad" : "sgd")}{(itemBias ? "" : ", no bias")}";

    private static SelfTestResult Compare(ComputeBackend backend, string kernel, string shape, PairwiseSettings settings, InteractionMatrix matrix, Func<IPairwiseEngine, EpochResult> work)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (!backend.IsIlgpu)
        {
            throw new ArgumentException("The self-test checks ILGPU kernels: pass a CUDA, OpenCL or ILGPU CPU backend.", nameof(backend));
        }
        var expected = PairwiseRun.CreateProblem(settings, matrix);
        EpochResult cpuStats;
        using (var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1))
        using (var engine = cpu.CreateEngine(new PairwiseEngineFactory(expected, 0)))
        {
            cpuStats = work(engine);
            engine.CopyTo(expected);
        }
        var actual = PairwiseRun.CreateProblem(settings, matrix);
        var clock = Stopwatch.StartNew();
        EpochResult deviceStats;
        using (var engine = backend.CreateEngine(new PairwiseEngineFactory(actual, 1)))
        {
            deviceStats = work(engine);
            engine.CopyTo(actual);
        }
        return Result(kernel, shape, clock.Elapsed.TotalSeconds, deviceStats, cpuStats,
            (actual.P, expected.P),
            (actual.Q, expected.Q),
            (actual.ItemBias, expected.ItemBias),
            (actual.UserAccumulators, expected.UserAccumulators),
            (actual.ItemAccumulators, expected.ItemAccumulators),
            (actual.BiasAccumulators, expected.BiasAccumulators));
    }

    /// <summary>
    /// The worst relative error of a pairwise device run against the CPU's: over every pair of parameter arrays (an
    /// absent one on both sides counts as empty), the mean loss, and the sample, hit and trial counts, which must be equal.
    /// </summary>
    internal static SelfTestResult Result(string kernel, string shape, double seconds, EpochResult device, EpochResult cpu, params (float[]? Actual, float[]? Expected)[] arrays)
    {
        double error = arrays.Select(a => SelfTestResult.Compare(a.Actual ?? [], a.Expected ?? [])).Append(
            SelfTestResult.Compare([(float)(device.Loss / Math.Max(1, device.Samples))], [(float)(cpu.Loss / Math.Max(1, cpu.Samples))])).Max();
        bool counts = device.Samples == cpu.Samples && device.Hits == cpu.Hits && device.Trials == cpu.Trials;
        return new SelfTestResult(kernel, shape, counts ? error : double.PositiveInfinity, 1e-4, seconds);
    }

    /// <summary>About <paramref name="positives"/> distinct random pairs, with one user who has most of the items so that rejection is exercised.</summary>
    internal static InteractionMatrix RandomPositives(int users, int items, int positives, ulong seed)
    {
        var rng = new XorShiftRandom(seed, 77);
        var u = new List<int>();
        var i = new List<int>();
        for (int n = 0; n < positives; n++)
        {
            u.Add(rng.NextInt(users));
            i.Add(rng.NextInt(items));
        }
        for (int item = 0; item < items; item += 1 + item % 3)
        {
            u.Add(0);
            i.Add(item);
        }
        var userIds = new IdMap(Enumerable.Range(0, users).Select(x => (long)x));
        var itemIds = new IdMap(Enumerable.Range(0, items).Select(x => (long)x));
        return InteractionMatrix.FromIndices(userIds, itemIds, u.ToArray(), i.ToArray(), Enumerable.Repeat(1f, u.Count).ToArray(), DuplicatePolicy.KeepLast);
    }

    /// <summary>Samples over observed pairs whose candidates are a mix of random items and the user's own observed items.</summary>
    private static PairwiseSamples RandomSamples(InteractionMatrix matrix, int count, int perSample, ulong seed)
    {
        var rng = new XorShiftRandom(seed, 78);
        var users = new int[count];
        var positives = new int[count];
        var negatives = new int[count * perSample];
        var rows = matrix.EntryUsers();
        for (int s = 0; s < count; s++)
        {
            int pair = rng.NextInt(matrix.Count);
            users[s] = rows[pair];
            positives[s] = matrix.UserItems[pair];
            var own = matrix.ItemsOf(users[s]);
            for (int t = 0; t < perSample; t++)
            {
                negatives[s * perSample + t] = rng.NextInt(4) == 0 ? own[rng.NextInt(own.Length)] : rng.NextInt(matrix.ItemCount);
            }
        }
        return new PairwiseSamples(users, positives, negatives, perSample);
    }
}
