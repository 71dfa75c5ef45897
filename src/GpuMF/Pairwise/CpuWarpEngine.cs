using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// WARP on the managed CPU backend: each cell visits its pairs once, in the epoch's random order; for
/// each, candidates t = 0, 1, … are drawn in its item block from the sample's key until one violates
/// the margin and is not observed, or MaxSampled are drawn — the kernel's <see cref="WarpLossKernels.Epoch"/>
/// sample for sample when there is one thread.
/// </summary>
internal sealed unsafe class CpuWarpEngine(PairwiseProblem problem, int threads) : CpuPairwiseEngine(problem, threads)
{
    public override EpochResult RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        if (samples.NegativesPerSample != Settings.MaxSampled)
        {
            throw new ArgumentException($"WARP's given samples need MaxSampled = {Settings.MaxSampled} candidates each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
        var stats = default(EpochResult);
        fixed (int* negatives = samples.Negatives)
        {
            for (int s = 0; s < samples.Count; s++)
            {
                stats += Step(samples.Users[s], samples.Positives[s], 0, negatives + (long)s * samples.NegativesPerSample, null, 0, learningRate);
            }
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunCell(Cell cell, ref XorShiftRandom rng, float learningRate, CancellationCheck cancel)
    {
        int* pairs = cell.Pairs;
        var stats = default(EpochResult);
        for (int n = 0; n < cell.Count; n++)
        {
            if (Stop(n, cancel))
            {
                break;
            }
            stats += Step(pairs[2 * n], pairs[2 * n + 1], rng.NextULong(), null, cell.Block, cell.BlockSize, learningRate);
        }
        return stats;
    }

    /// <summary>One positive: candidates come from <paramref name="given"/> when it is set, else from <paramref name="key"/> within the block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Step(int u, int i, ulong key, int* given, int* block, int blockSize, float lr)
    {
        int k = Settings.Factors;
        int m = Settings.MaxSampled;
        long s = Stride;
        bool useBias = Settings.ItemBias;
        float* pu = P + u * s;
        float* qi = Q + i * s;
        float* bi = ItemLines + (long)i * Line;
        float threshold = (useBias ? bi[0] : 0f) + PairwiseVectorMath.Dot(pu, qi, k) - WarpLossKernels.Margin;
        for (int t = 0; t < m; t++)
        {
            int j = given != null ? given[t] : block[PairwiseSgd.Candidate(key, t, blockSize)];
            float* qj = Q + j * s;
            float* bj = ItemLines + (long)j * Line;
            float score = (useBias ? bj[0] : 0f) + PairwiseVectorMath.Dot(pu, qj, k);
            if (score > threshold && !Seen(u, j))
            {
                int trials = t + 1;
                float weight = PairwiseSgd.RankWeight((Problem.ItemCount - 1) / trials);
                if (Adagrad)
                {
                    PairwiseVectorMath.Update(pu, qi, qj, GP + u * s, GQ + i * s, GQ + j * s, k, weight, lr, Settings.Regularization);
                }
                else
                {
                    PairwiseVectorMath.Update(pu, qi, qj, null, null, null, k, weight, lr, Settings.Regularization);
                }
                if (useBias)
                {
                    PairwiseVectorMath.UpdateBiases(bi, bj, Adagrad, weight, lr, Settings.Regularization);
                }
                return new EpochResult(weight * (score - threshold), 1, 1, trials);
            }
        }
        return new EpochResult(0, 1, 0, m);
    }
}
