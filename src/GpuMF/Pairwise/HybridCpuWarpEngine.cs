using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// Hybrid WARP on the managed CPU backend: for each positive (u, i) of the range, candidates t = 0, 1, … drawn over
/// the catalogue from the sample's key until one violates the margin and is not observed, or MaxSampled are drawn —
/// <see cref="HybridKernels.WarpEpoch"/> sample for sample when there is one thread. A candidate is scored as
/// Σ w·b + Σ w·(p_u·e) over its rows in one pass, writing no row: each named row's p_u·e is computed once per positive and then
/// taken from the thread's memo, since candidates share genres; only the chosen violator's q_j is composed, for the step. The next candidate's first cache lines are asked for while
/// the current one is scored.
/// </summary>
internal sealed unsafe class HybridCpuWarpEngine(HybridProblem problem, int threads) : HybridCpuEngine(problem, threads)
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunRange(Range range, ref XorShiftRandom rng, Workspace workspace, float learningRate, CancellationCheck cancel)
    {
        var stats = default(EpochResult);
        int* pairs = range.Pairs;
        for (int n = 0; n < range.Count; n++)
        {
            if (CpuPairwiseEngine.Stop(n, cancel))
            {
                break;
            }
            stats += Sample(pairs[2 * n], pairs[2 * n + 1], rng.NextULong(), workspace, learningRate);
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Sample(int u, int i, ulong key, Workspace workspace, float lr)
    {
        int k = Settings.Factors;
        int m = Settings.MaxSampled;
        int itemCount = Problem.ItemCount;
        workspace.NextSample();
        float* p = User(u, workspace.P);
        float* qi = Item(i, workspace.Qi);
        float threshold = Bias(i) + PairwiseVectorMath.Dot(p, qi, k) - WarpLossKernels.Margin;
        int next = PairwiseSgd.Candidate(key, 0, itemCount);
        for (int t = 0; t < m; t++)
        {
            int j = next;
            if (t + 1 < m)
            {
                next = PairwiseSgd.Candidate(key, t + 1, itemCount);
                PrefetchItem(next);
            }
            float score = Score(p, j, workspace);
            if (score > threshold && !Seen(u, j))
            {
                int trials = t + 1;
                float weight = PairwiseSgd.RankWeight((itemCount - 1) / trials);
                Step(u, i, j, p, qi, Item(j, workspace.Qj), workspace.Difference, weight, lr);
                return new EpochResult(weight * (score - threshold), 1, 1, trials);
            }
        }
        return new EpochResult(0, 1, 0, m);
    }
}
