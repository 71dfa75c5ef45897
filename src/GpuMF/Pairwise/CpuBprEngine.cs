using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR on the managed CPU backend: each cell takes its pairs in the epoch's random order, draws j
/// uniformly in its item block (redrawn while observed, when asked), then takes the SIMD step of
/// <see cref="PairwiseVectorMath"/> with weight σ(−x), x = p_u·(q_i − q_j) + b_i − b_j — the kernel's
/// <see cref="BprKernels.Epoch"/> sample for sample when there is one thread.
/// </summary>
internal sealed unsafe class CpuBprEngine(PairwiseProblem problem, int threads) : CpuPairwiseEngine(problem, threads)
{
    public override EpochResult RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        var stats = default(EpochResult);
        for (int s = 0; s < samples.Count; s++)
        {
            stats += Step(samples.Users[s], samples.Positives[s], samples.Negatives[s * samples.NegativesPerSample], learningRate, 1);
        }
        return stats;
    }

    /// <summary>
    /// The cell's pairs front to back. The first draw of j for the next pair is made as soon as the
    /// current pair's draws are done, and the bitmap word it needs is prefetched, so that the one cache
    /// miss of the observed-item check overlaps the current update; the draws keep the kernel's order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunCell(Cell cell, ref XorShiftRandom rng, float learningRate, CancellationCheck cancel)
    {
        int count = cell.Count;
        int* pairs = cell.Pairs;
        int* block = cell.Block;
        int blockSize = cell.BlockSize;
        bool reject = Settings.RejectObserved;
        var stats = default(EpochResult);
        int nextJ = block[rng.NextInt(blockSize)];
        PrefetchSeen(pairs[0], nextJ);
        for (int n = 0; n < count; n++)
        {
            if (Stop(n, cancel))
            {
                break;
            }
            int u = pairs[2 * n];
            int i = pairs[2 * n + 1];
            int j = nextJ;
            int draws = 1;
            bool skip = false;
            if (reject)
            {
                while (Seen(u, j) && draws < BprKernels.MaxNegativeDraws)
                {
                    j = block[rng.NextInt(blockSize)];
                    draws++;
                }
                skip = draws == BprKernels.MaxNegativeDraws && Seen(u, j);
            }
            if (n + 1 < count)
            {
                nextJ = block[rng.NextInt(blockSize)];
                PrefetchSeen(pairs[2 * n + 2], nextJ);
            }
            stats += skip ? new EpochResult(0, 1, 0, draws) : Step(u, i, j, learningRate, draws);
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Step(int u, int i, int j, float lr, int draws)
    {
        int k = Settings.Factors;
        long s = Stride;
        float reg = Settings.Regularization;
        float* pu = P + u * s;
        float* qi = Q + i * s;
        float* qj = Q + j * s;
        float* bi = ItemLines + (long)i * Line;
        float* bj = ItemLines + (long)j * Line;
        float x = (Settings.ItemBias ? bi[0] - bj[0] : 0f) + PairwiseVectorMath.DiffDot(pu, qi, qj, k);
        float z = 1f / (1f + MathF.Exp(x));
        if (Adagrad)
        {
            PairwiseVectorMath.Update(pu, qi, qj, GP + u * s, GQ + i * s, GQ + j * s, k, z, lr, reg);
        }
        else
        {
            PairwiseVectorMath.Update(pu, qi, qj, null, null, null, k, z, lr, reg);
        }
        if (Settings.ItemBias)
        {
            PairwiseVectorMath.UpdateBiases(bi, bj, Adagrad, z, lr, reg);
        }
        return new EpochResult(PairwiseSgd.SoftplusOfNegative(x), 1, x > 0f ? 1 : 0, draws);
    }
}
