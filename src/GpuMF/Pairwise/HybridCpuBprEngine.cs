using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// Hybrid BPR on the managed CPU backend: each positive (u, i) of the range draws j uniformly over the catalogue
/// (redrawn while observed, when asked, at most <see cref="BprKernels.MaxNegativeDraws"/> draws), then takes the step
/// with weight σ(−x), x = p_u·(q_i − q_j) + b_i − b_j — <see cref="HybridKernels.BprEpoch"/> sample for sample when
/// there is one thread.
/// </summary>
internal sealed unsafe class HybridCpuBprEngine(HybridProblem problem, int threads) : HybridCpuEngine(problem, threads)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunRange(Range range, ref XorShiftRandom rng, float* workspace, float learningRate, CancellationCheck cancel)
    {
        int k = Settings.Factors;
        int itemCount = Problem.ItemCount;
        bool reject = Settings.RejectObserved;
        long s = Stride;
        var stats = default(EpochResult);
        long index = range.First;
        for (int n = 0; n < range.Count; n++, index = range.Next(index))
        {
            if (Stop(n, cancel))
            {
                break;
            }
            int u = UserOf(index);
            int i = ItemOf(index);
            int j = rng.NextInt(itemCount);
            int draws = 1;
            if (reject)
            {
                while (Seen(u, j) && draws < BprKernels.MaxNegativeDraws)
                {
                    j = rng.NextInt(itemCount);
                    draws++;
                }
                if (draws == BprKernels.MaxNegativeDraws && Seen(u, j))
                {
                    stats += new EpochResult(0, 1, 0, draws);
                    continue;
                }
            }
            float* p = User(u, workspace);
            float* qi = Item(i, workspace + s);
            float* qj = Item(j, workspace + 2 * s);
            float x = (Settings.ItemBias ? Bias(i) - Bias(j) : 0f) + PairwiseVectorMath.DiffDot(p, qi, qj, k);
            float z = 1f / (1f + MathF.Exp(x));
            Step(u, i, j, p, qi, qj, workspace + 3 * s, z, learningRate);
            stats += new EpochResult(PairwiseSgd.SoftplusOfNegative(x), 1, x > 0f ? 1 : 0, draws);
        }
        return stats;
    }
}
