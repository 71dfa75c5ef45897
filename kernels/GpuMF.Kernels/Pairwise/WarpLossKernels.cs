using GpuMF.Kernels.Lanes;
using GpuMF.Kernels.Sparse;
using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// Weighted approximate-rank pairwise loss (Weston, Bengio, Usunier, "WSABIE: Scaling up to large
/// vocabulary image annotation", IJCAI 2011) by lock-free SGD, one warp per positive.
/// </summary>
public static class WarpLossKernels
{
    /// <summary>The margin of the hinge: a negative j violates when score_j &gt; score_i − 1.</summary>
    public const float Margin = 1f;

    /// <summary>
    /// Samples [<c>step.First</c>, <c>step.End</c>) of an epoch; warp w visits positions First + w, First + w + warps, … of the epoch's
    /// affine order and draws one key per positive from the stream (seed, epoch, w), identical in every
    /// lane. Sequential WARP draws candidates until one violates the margin (and is not an observed
    /// item) or MaxSampled are drawn; here the warp scores W candidates at once, lane l taking candidate
    /// b·W + l (each lane a whole dot product), and keeps the first violating lane, found by a shuffle
    /// min-reduction, so trials and the chosen negative are exactly those of the sequential loop over
    /// the same candidates. The update has weight L(⌊(n − 1)/trials⌋) and follows
    /// <see cref="PairwiseSgd.UpdateFactors"/>; a warp barrier after it makes this warp's writes
    /// visible to the lanes that read whole rows for the next positive. Given mode takes sample s as
    /// (users[s], items[s]) with candidates negatives[s·MaxSampled + t]. Warp w writes its summed hinge
    /// loss L·(1 − score_i + score_j) to <paramref name="loss"/>[w], and the count of positives that found
    /// a violator and of trials to <paramref name="counts"/>[3w] and [3w + 1]. Every launch leaves the warp's
    /// stream state at [3w + 2], where a launch that does not start the epoch takes it up.
    /// </summary>
    public static void Epoch(
        ArrayView<int> users,
        ArrayView<int> items,
        ArrayView<int> negatives,
        ArrayView<int> seenPtr,
        ArrayView<int> seenItems,
        ArrayView<float> p,
        ArrayView<float> q,
        ArrayView<float> itemBias,
        ArrayView<float> gp,
        ArrayView<float> gq,
        ArrayView<float> gb,
        ArrayView<float> loss,
        ArrayView<long> counts,
        PairwiseStep step)
    {
        int warpSize = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int k = step.Factors;
        int m = step.MaxSampled;
        var warp = PairwiseWarp.Begin(step, counts);
        float lossSum = 0f;
        long violated = 0;
        long trialSum = 0;
        for (int s = warp.First(step); s < step.End; s += warp.Count)
        {
            PairwiseWarp.Positive(step, s, users, items, out int u, out int i);
            ulong key = step.Given != 0 ? 0UL : warp.Random.NextULong();
            long pu = (long)u * k;
            long qi = (long)i * k;
            float partial = 0f;
            if (lane == 0 && step.UseBias != 0)
            {
                partial = itemBias[i];
            }
            for (int f = lane; f < k; f += warpSize)
            {
                partial += p[pu + f] * q[qi + f];
            }
            float threshold = LaneReduce.Sum(partial) - Margin;
            int start = seenPtr[u];
            int end = seenPtr[u + 1];
            int first = warpSize;
            int chosen = 0;
            float chosenScore = 0f;
            int trials = m;
            for (int b = 0; b < m; b += warpSize)
            {
                int t = b + lane;
                int j = 0;
                float score = 0f;
                bool violates = false;
                if (t < m)
                {
                    j = step.Given != 0 ? negatives[(long)s * m + t] : PairwiseSgd.Candidate(key, t, step.ItemCount);
                    long qj = (long)j * k;
                    score = step.UseBias != 0 ? itemBias[j] : 0f;
                    for (int f = 0; f < k; f++)
                    {
                        score += p[pu + f] * q[qj + f];
                    }
                    violates = score > threshold && !SortedRange.Contains(seenItems, start, end, j);
                }
                first = LaneVote.FirstLane(violates);
                if (first < warpSize)
                {
                    chosen = Warp.Shuffle(j, first);
                    chosenScore = Warp.Shuffle(score, first);
                    trials = b + first + 1;
                    break;
                }
            }
            trialSum += trials;
            if (first < warpSize)
            {
                violated++;
                float weight = PairwiseSgd.RankWeight(((step.Catalogue > step.ItemCount ? step.Catalogue : step.ItemCount) - 1) / trials);
                PairwiseSgd.UpdateFactors(p, q, gp, gq, pu, qi, (long)chosen * k, k, weight, step.LearningRate, step.Regularization, step.Adagrad);
                if (lane == 0)
                {
                    if (step.UseBias != 0)
                    {
                        PairwiseSgd.UpdateBiases(itemBias, gb, i, chosen, weight, step.LearningRate, step.Regularization, step.Adagrad);
                    }
                    lossSum += weight * (chosenScore - threshold);
                }
                Warp.Barrier();
            }
        }
        warp.End(loss, counts, lossSum, violated, trialSum);
    }
}
