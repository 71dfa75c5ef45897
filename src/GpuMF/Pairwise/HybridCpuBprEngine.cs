using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// Hybrid BPR on the managed CPU backend: each positive (u, i) of the range draws j uniformly over the catalogue
/// (redrawn while observed, when asked, at most <see cref="BprKernels.MaxNegativeDraws"/> draws), then takes the step
/// with weight σ(−x), x = p_u·(q_i − q_j) + b_i − b_j — <see cref="HybridKernels.BprEpoch"/> sample for sample when
/// there is one thread. As <see cref="CpuBprEngine"/> does, the next positive's first j is drawn as soon as the current
/// one's draws are done (the draws keep the kernel's order), and the lines it will read are asked for.
/// </summary>
internal sealed unsafe class HybridCpuBprEngine(HybridProblem problem, int threads) : HybridCpuEngine(problem, threads)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunRange(Range range, ref XorShiftRandom rng, Workspace workspace, float learningRate, CancellationCheck cancel)
    {
        int k = Settings.Factors;
        int itemCount = Problem.ItemCount;
        bool reject = Settings.RejectObserved;
        var stats = default(EpochResult);
        int* pairs = range.Pairs;
        int count = range.Count;
        int nextJ = rng.NextInt(itemCount);
        PrefetchSeen(pairs[0], nextJ);
        for (int n = 0; n < count; n++)
        {
            if (CpuPairwiseEngine.Stop(n, cancel))
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
                    j = rng.NextInt(itemCount);
                    draws++;
                }
                skip = draws == BprKernels.MaxNegativeDraws && Seen(u, j);
            }
            if (n + 1 < count)
            {
                nextJ = rng.NextInt(itemCount);
                PrefetchSeen(pairs[2 * n + 2], nextJ);
                PrefetchItem(nextJ);
            }
            if (skip)
            {
                stats += new EpochResult(0, 1, 0, draws);
                continue;
            }
            float* p = User(u, workspace.P);
            float* qi = Item(i, workspace.Qi);
            float* qj = Item(j, workspace.Qj);
            float x = (Settings.ItemBias ? Bias(i) - Bias(j) : 0f) + PairwiseVectorMath.DiffDot(p, qi, qj, k);
            float z = 1f / (1f + MathF.Exp(x));
            Step(u, i, j, p, qi, qj, workspace.Difference, z, learningRate);
            stats += new EpochResult(PairwiseSgd.SoftplusOfNegative(x), 1, x > 0f ? 1 : 0, draws);
        }
        return stats;
    }
}
