using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Kernels.Scoring;
using GpuMF.Models;

namespace GpuMF.Conformance;

/// <summary>
/// Checks candidate scoring on an ILGPU backend (<see cref="PairScoreKernels"/>) against the managed CPU path on seeded
/// random models and candidate lists; <see cref="KernelSelfTest.Run"/> runs a few cases.
/// </summary>
public static class CandidateSelfTest
{
    /// <summary>
    /// Scores <paramref name="pairs"/> random pairs on the device in launches of <paramref name="chunkPairs"/>, and ranks
    /// random lists of them (uneven lengths, repeated items, seen items left out) on the device and on the CPU backend;
    /// returns the largest relative difference of the device's scores from <see cref="FactorModel.Score"/>, pair by pair
    /// and rank by rank. Lists of another length, or (with integer factors, whose scores are exact so ties are real)
    /// in another order, make the error infinite.
    /// </summary>
    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="users">Users of the model, ≥ 1.</param>
    /// <param name="items">Items of the model, ≥ 1.</param>
    /// <param name="factors">Factors per row, ≥ 1.</param>
    /// <param name="pairs">Pairs, ≥ 0.</param>
    /// <param name="seed">Seed of the inputs.</param>
    /// <param name="integral">Factors drawn from {−2..2}, so that scores are exact and tie often.</param>
    /// <param name="chunkPairs">Pairs per device launch, ≥ 1.</param>
    public static SelfTestResult Check(ComputeBackend backend, int users, int items, int factors, int pairs, ulong seed, bool integral = false, int chunkPairs = IlgpuPairScorer.DefaultChunkPairs)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var model = RandomModel(users, items, factors, seed, integral);
        var rng = new XorShiftRandom(seed, 31);
        var u = new int[pairs];
        var i = new int[pairs];
        for (int p = 0; p < pairs; p++)
        {
            u[p] = rng.NextInt(users);
            i[p] = rng.NextInt(items);
        }
        // Lists of uneven length, an empty one among them, over the same items.
        var offsets = new List<int> { 0 };
        var listUsers = new List<int>();
        while (offsets[^1] < pairs)
        {
            listUsers.Add(rng.NextInt(users));
            offsets.Add(Math.Min(pairs, offsets[^1] + rng.NextInt(2 * factors + 3)));
        }
        var device = new float[pairs];
        var clock = Stopwatch.StartNew();
        using (var scorer = new IlgpuPairScorer(backend, model, chunkPairs))
        {
            scorer.Score(u, i, device);
        }
        CandidateLists onDevice;
        using (var scorer = CandidateScorer.Create(model, backend, filterSeen: true))
        {
            onDevice = scorer.Rank(listUsers.ToArray(), offsets.ToArray(), i);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        using var cpu = CandidateScorer.Create(model, null, filterSeen: true);
        var onCpu = cpu.Rank(listUsers.ToArray(), offsets.ToArray(), i);
        var exact = new float[pairs];
        cpu.ScorePairs(u, i, exact);
        double error = SelfTestResult.Compare(device, exact);
        for (int l = 0; l < onCpu.Count; l++)
        {
            var expected = onCpu.Items(l);
            var actual = onDevice.Items(l);
            if (actual.Length != expected.Length || (integral && !actual.SequenceEqual(expected)))
            {
                return new SelfTestResult("candidates", Shape(), double.PositiveInfinity, 1e-4, seconds);
            }
            error = Math.Max(error, SelfTestResult.Compare(onDevice.Scores(l), onCpu.Scores(l)));
        }
        return new SelfTestResult("candidates", Shape(), error, 1e-4, seconds);

        string Shape() => $"{users}×{items}, k={factors}, {pairs} pairs in {listUsers.Count} lists, launches of {Math.Min(chunkPairs, Math.Max(pairs, 1))}{(integral ? ", integer" : "")}";
    }

    private static FactorModel RandomModel(int users, int items, int factors, ulong seed, bool integral)
    {
        var rng = new XorShiftRandom(seed, 30);
        float Draw() => integral ? rng.NextInt(5) - 2 : rng.NextGaussian();
        var p = new float[(long)users * factors];
        var q = new float[(long)items * factors];
        var bias = new float[items];
        for (long n = 0; n < p.LongLength; n++)
        {
            p[n] = Draw();
        }
        for (long n = 0; n < q.LongLength; n++)
        {
            q[n] = Draw();
        }
        for (int n = 0; n < items; n++)
        {
            bias[n] = integral ? rng.NextInt(3) - 1 : 0.2f * rng.NextGaussian();
        }
        var seenPtr = new int[users + 1];
        var seen = new List<int>();
        for (int user = 0; user < users; user++)
        {
            for (int item = 0; item < items; item++)
            {
                if (rng.NextInt(5) == 0)
                {
                    seen.Add(item);
                }
            }
            seenPtr[user + 1] = seen.Count;
        }
        return new FactorModel(ModelKind.Bpr, new IdMap(Enumerable.Range(0, users).Select(x => (long)x)), new IdMap(Enumerable.Range(0, items).Select(x => (long)x)),
            factors, p, q, null, bias, 0f, seenPtr, [.. seen], "{}");
    }
}
