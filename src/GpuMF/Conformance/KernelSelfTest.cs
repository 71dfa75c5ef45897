using System.Diagnostics;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Kernels.Sampling;
using GpuMF.Svd;

namespace GpuMF.Conformance;

/// <summary>
/// Runs every kernel on an ILGPU backend against the managed CPU backend on seeded random inputs whose
/// sizes are not multiples of any warp or group size. Used by <c>gpumf selftest</c> and the tests.
/// </summary>
public static class KernelSelfTest
{
    /// <summary>Every check, in order.</summary>
    public static IReadOnlyList<SelfTestResult> Run(ComputeBackend backend) => [.. Each(backend)];

    /// <summary>Every check, in order, each run as it is enumerated, so that a caller can report one before the next starts.</summary>
    public static IEnumerable<SelfTestResult> Each(ComputeBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return Checks(backend);
    }

    private static IEnumerable<SelfTestResult> Checks(ComputeBackend backend)
    {
        yield return SgdEpoch(backend, users: 37, items: 23, ratings: 301, factors: 19, seed: 1);
        yield return SgdEpoch(backend, users: 101, items: 67, ratings: 2003, factors: 64, seed: 2);
        yield return SgdEpoch(backend, users: 5, items: 3, ratings: 11, factors: 1, seed: 3);
        yield return AlsKernelSelfTest.Gram(backend, rows: 37, factors: 19, seed: 4);
        yield return AlsKernelSelfTest.Gram(backend, rows: 203, factors: 64, seed: 5);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.ConjugateGradient, users: 37, items: 23, interactions: 301, factors: 19, seed: 6);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.ConjugateGradient, users: 31, items: 23, interactions: 301, factors: 64, seed: 7);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.ConjugateGradient, users: 3, items: 2, interactions: 5, factors: 128, seed: 12);
        // Items with about 300 users each: rows split over several segments, summed atomically.
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.ConjugateGradient, users: 401, items: 5, interactions: 1500, factors: 33, seed: 14);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.Cholesky, users: 37, items: 23, interactions: 301, factors: 19, seed: 8);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.Cholesky, users: 31, items: 23, interactions: 301, factors: 64, seed: 9);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.Cholesky, users: 13, items: 11, interactions: 61, factors: 33, seed: 10, globalMemory: true);
        yield return AlsKernelSelfTest.Solve(backend, AlsSolver.Cholesky, users: 5, items: 3, interactions: 9, factors: 256, seed: 13);
        yield return AlsKernelSelfTest.Loss(backend, users: 31, items: 23, interactions: 301, factors: 64, seed: 11);
        yield return TopNSelfTest.Check(backend, queries: 37, candidates: 301, factors: 19, n: 10, seed: 4);
        yield return TopNSelfTest.Check(backend, queries: 29, candidates: 67, factors: 64, n: 1000, seed: 5, integral: true);
        yield return TopNSelfTest.Check(backend, queries: 40, candidates: 403, factors: 33, n: 25, seed: 6, integral: true, tileItems: 97, maxRows: 16);
        yield return TopNSelfTest.Check(backend, queries: 50, candidates: 50, factors: 8, n: 5, seed: 7, filters: false, similarity: true);
        yield return CandidateSelfTest.Check(backend, users: 37, items: 301, factors: 19, pairs: 1003, seed: 4, chunkPairs: 97);
        yield return CandidateSelfTest.Check(backend, users: 29, items: 67, factors: 64, pairs: 777, seed: 5, integral: true);
        yield return PairwiseSelfTest.BprEpoch(backend, users: 37, items: 23, positives: 301, factors: 19, seed: 4);
        yield return PairwiseSelfTest.BprEpoch(backend, users: 101, items: 67, positives: 2003, factors: 64, seed: 5, adagrad: false);
        yield return PairwiseSelfTest.BprGiven(backend, users: 29, items: 41, positives: 250, samples: 997, factors: 33, seed: 6);
        yield return PairwiseSelfTest.WarpEpoch(backend, users: 37, items: 23, positives: 301, factors: 19, maxSampled: 10, seed: 7);
        yield return PairwiseSelfTest.WarpEpoch(backend, users: 101, items: 67, positives: 2003, factors: 64, maxSampled: 37, seed: 8, adagrad: false);
        yield return PairwiseSelfTest.WarpGiven(backend, users: 29, items: 41, positives: 250, samples: 499, factors: 33, maxSampled: 13, seed: 9);
        yield return HybridSelfTest.Epoch(backend, warp: false, users: 19, items: 37, positives: 230, named: 5, factors: 7, seed: 10);
        yield return HybridSelfTest.Epoch(backend, warp: false, users: 41, items: 29, positives: 401, named: 7, factors: 33, seed: 11, adagrad: false);
        yield return HybridSelfTest.Epoch(backend, warp: true, users: 19, items: 37, positives: 230, named: 5, factors: 7, seed: 12);
        yield return HybridSelfTest.Epoch(backend, warp: true, users: 41, items: 29, positives: 401, named: 7, factors: 33, seed: 13);
    }

    /// <summary>
    /// Two SGD epochs with one warp (so the device visits ratings in the same order as one CPU thread)
    /// against the CPU engine with one thread; every factor and bias must agree.
    /// </summary>
    public static SelfTestResult SgdEpoch(ComputeBackend backend, int users, int items, int ratings, int factors, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var options = new SvdOptions { Factors = factors, Seed = seed, LearningRate = 0.05f };
        var rng = new XorShiftRandom(seed, 99);
        var u = new int[ratings];
        var i = new int[ratings];
        var r = new float[ratings];
        for (int n = 0; n < ratings; n++)
        {
            u[n] = rng.NextInt(users);
            i[n] = rng.NextInt(items);
            r[n] = 1 + rng.NextInt(5);
        }
        SgdProblem Problem()
        {
            var init = new XorShiftRandom(seed, 100);
            float[] Fill(long length, float scale)
            {
                var a = new float[length];
                for (long n = 0; n < length; n++)
                {
                    a[n] = init.NextGaussian() * scale;
                }
                return a;
            }
            return new SgdProblem(u, i, r, users, items, Fill((long)users * factors, 0.1f), Fill((long)items * factors, 0.1f), Fill(users, 0.05f), Fill(items, 0.05f), 3.5f, options);
        }
        var expected = Problem();
        using (var cpu = new CpuSgdEngine(expected, 1))
        {
            cpu.RunEpoch(0, options.LearningRate);
            cpu.RunEpoch(1, options.LearningRate * 0.9f);
        }
        var device = Problem();
        var clock = Stopwatch.StartNew();
        using (var engine = new IlgpuSgdEngine(backend, device, warps: 1))
        {
            engine.RunEpoch(0, options.LearningRate);
            engine.RunEpoch(1, options.LearningRate * 0.9f);
            engine.CopyTo(device.P, device.Q, device.UserBias, device.ItemBias);
        }
        double error = new[]
        {
            SelfTestResult.Compare(device.P, expected.P),
            SelfTestResult.Compare(device.Q, expected.Q),
            SelfTestResult.Compare(device.UserBias, expected.UserBias),
            SelfTestResult.Compare(device.ItemBias, expected.ItemBias),
        }.Max();
        return new SelfTestResult("sgd-epoch", $"{users}u×{items}i, {ratings} ratings, k={factors}", error, 1e-4, clock.Elapsed.TotalSeconds);
    }
}
