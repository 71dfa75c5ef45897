using GpuMF.Kernels.Lanes;
using ILGPU;

namespace GpuMF.Kernels.Scoring;

/// <summary>
/// Scores of given (user, item) pairs, p_u·q_i plus the item bias where there is one: the device half of
/// candidate scoring, where another system has already picked the items and only their scores are wanted.
/// </summary>
public static class PairScoreKernels
{
    /// <summary>
    /// scores[p] = userFactors[users[p]]·itemFactors[items[p]] (+ bias[items[p]]) for every p &lt; Pairs. One
    /// warp per pair, warps striding over the pairs: lane l sums factors l, l + W, …, so that a warp reads each
    /// factor row in whole coalesced lines, and the lanes' partial sums are added by shuffles. Launch whole warps.
    /// </summary>
    public static void Score(
        ArrayView<int> users,
        ArrayView<int> items,
        ArrayView<float> userFactors,
        ArrayView<float> itemFactors,
        ArrayView<float> bias,
        ArrayView<float> scores,
        PairScoreStep step)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warps = LaneGrid.WarpCount;
        int k = step.Factors;
        for (int p = LaneGrid.WarpIndex; p < step.Pairs; p += warps)
        {
            long u = (long)users[p] * k;
            int item = items[p];
            long i = (long)item * k;
            float part = 0f;
            for (int f = lane; f < k; f += w)
            {
                part += userFactors[u + f] * itemFactors[i + f];
            }
            float sum = LaneReduce.Sum(part);
            if (lane == 0)
            {
                scores[p] = step.HasBias != 0 ? sum + bias[item] : sum;
            }
        }
    }
}

/// <summary>The scalar arguments of <see cref="PairScoreKernels.Score"/>.</summary>
public struct PairScoreStep
{
    /// <summary>Pairs to score, ≥ 0.</summary>
    public int Pairs;

    /// <summary>Factors per row, ≥ 1.</summary>
    public int Factors;

    /// <summary>1 to add the item bias, 0 when the model has none (the bias view is then a placeholder).</summary>
    public int HasBias;
}
