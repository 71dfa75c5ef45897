using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// Hybrid WARP on the managed CPU backend: for each positive (u, i) of the range, candidates t = 0, 1, … drawn over
/// the catalogue from the sample's key until one violates the margin and is not observed, or MaxSampled are drawn —
/// <see cref="HybridKernels.WarpEpoch"/> sample for sample when there is one thread. A candidate is scored as
/// b_j + Σ w·(p_u·e) over its rows, reading each row once and writing nothing; only the chosen violator's q_j is
/// composed, for the step.
/// </summary>
internal sealed unsafe class HybridCpuWarpEngine(HybridProblem problem, int threads) : HybridCpuEngine(problem, threads)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunRange(Range range, ref XorShiftRandom rng, float* workspace, float learningRate, CancellationCheck cancel)
    {
        var stats = default(EpochResult);
        long index = range.First;
        for (int n = 0; n < range.Count; n++, index = range.Next(index))
        {
            if (Stop(n, cancel))
            {
                break;
            }
            stats += Sample(UserOf(index), ItemOf(index), rng.NextULong(), workspace, learningRate);
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Sample(int u, int i, ulong key, float* workspace, float lr)
    {
        int k = Settings.Factors;
        int m = Settings.MaxSampled;
        int itemCount = Problem.ItemCount;
        long s = Stride;
        float* p = User(u, workspace);
        float* qi = Item(i, workspace + s);
        float threshold = Bias(i) + PairwiseVectorMath.Dot(p, qi, k) - WarpLossKernels.Margin;
        for (int t = 0; t < m; t++)
        {
            int j = PairwiseSgd.Candidate(key, t, itemCount);
            float score = Bias(j) + Score(p, j);
            if (score > threshold && !Seen(u, j))
            {
                int trials = t + 1;
                float weight = PairwiseSgd.RankWeight((itemCount - 1) / trials);
                Step(u, i, j, p, qi, Item(j, workspace + 2 * s), workspace + 3 * s, weight, lr);
                return new EpochResult(weight * (score - threshold), 1, 1, trials);
            }
        }
        return new EpochResult(0, 1, 0, m);
    }
}
