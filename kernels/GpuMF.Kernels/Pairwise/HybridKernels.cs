using GpuMF.Kernels.Lanes;
using GpuMF.Kernels.Sparse;
using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// BPR and WARP with user and item features (Kula 2015, "Metadata Embeddings for User and Item Cold-start
/// Recommendations"): p_u = Σ w·e over u's user feature rows, q_i = Σ w·e over i's item feature rows, b_i = Σ w·b.
/// Lock-free SGD, one warp per sample, lane l holding factors l, l + W, … of the composed vectors in the warp's
/// slice of <c>scratch</c> (p_u at [3kw, 3kw + k), q_i and q_j after it), which only that lane reads and writes.
/// The samples, their order and every random draw are those of <see cref="BprKernels.Epoch"/> and
/// <see cref="WarpLossKernels.Epoch"/> in random mode (given mode is not offered), so that one warp draws what one
/// thread of the managed CPU backend draws. Only lane 0 composes and updates biases. Updates reach the feature rows
/// by atomic adds (<see cref="HybridSgd"/>): item i's rows, then item j's, then the user's with direction
/// q_i − q_j, each from the composed vectors as they were before the step.
/// </summary>
public static class HybridKernels
{
    /// <summary>
    /// BPR samples [<c>step.First</c>, <c>step.End</c>) of an epoch: j drawn uniformly over the items from the
    /// warp's stream, redrawn while observed when asked (at most <see cref="BprKernels.MaxNegativeDraws"/> draws,
    /// then the sample is skipped); x = p_u·(q_i − q_j) + b_i − b_j and weight σ(−x). Loss, counts and streams are
    /// left as <see cref="BprKernels.Epoch"/> leaves them.
    /// </summary>
    public static void BprEpoch(
        ArrayView<int> users,
        ArrayView<int> items,
        ArrayView<int> seenPtr,
        ArrayView<int> seenItems,
        HybridSide userSide,
        HybridSide itemSide,
        HybridTables tables,
        ArrayView<float> scratch,
        ArrayView<float> loss,
        ArrayView<long> counts,
        PairwiseStep step)
    {
        int warpSize = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int k = step.Factors;
        var warp = PairwiseWarp.Begin(step, counts);
        long p = 3L * k * warp.Index;
        long qi = p + k;
        long qj = qi + k;
        float lossSum = 0f;
        long correct = 0;
        long draws = 0;
        for (int s = warp.First(step); s < step.End; s += warp.Count)
        {
            PairwiseWarp.Positive(step, s, users, items, out int u, out int i);
            int j = warp.Random.NextInt(step.ItemCount);
            draws++;
            bool found = true;
            if (step.RejectObserved != 0)
            {
                int start = seenPtr[u];
                int end = seenPtr[u + 1];
                int tries = 1;
                while (SortedRange.Contains(seenItems, start, end, j))
                {
                    if (tries == BprKernels.MaxNegativeDraws)
                    {
                        found = false;
                        break;
                    }
                    j = warp.Random.NextInt(step.ItemCount);
                    draws++;
                    tries++;
                }
            }
            if (!found)
            {
                continue;
            }
            HybridSgd.Compose(userSide, tables.Users, u, scratch, p, k);
            HybridSgd.Compose(itemSide, tables.Items, i, scratch, qi, k);
            HybridSgd.Compose(itemSide, tables.Items, j, scratch, qj, k);
            float partial = 0f;
            if (lane == 0 && step.UseBias != 0)
            {
                partial = HybridSgd.ComposeBias(itemSide, tables.Biases, i) - HybridSgd.ComposeBias(itemSide, tables.Biases, j);
            }
            for (int f = lane; f < k; f += warpSize)
            {
                partial += scratch[p + f] * (scratch[qi + f] - scratch[qj + f]);
            }
            float x = LaneReduce.Sum(partial);
            float z = 1f / (1f + MathF.Exp(x));
            Step(userSide, itemSide, tables, scratch, u, i, j, p, k, z, step);
            if (lane == 0)
            {
                lossSum += PairwiseSgd.SoftplusOfNegative(x);
                if (x > 0f)
                {
                    correct++;
                }
            }
        }
        warp.End(loss, counts, lossSum, correct, draws);
    }

    /// <summary>
    /// WARP positives [<c>step.First</c>, <c>step.End</c>) of an epoch: one key per positive from the warp's stream,
    /// candidates t = 0, 1, … drawn from it as <see cref="PairwiseSgd.Candidate"/> says and scored one at a time (the
    /// warp composes q_j, reducing p_u·q_j over the lanes) until one violates the margin and is not observed, or
    /// MaxSampled are scored; the step has weight L(⌊(n − 1)/trials⌋). Loss, counts and streams are left as
    /// <see cref="WarpLossKernels.Epoch"/> leaves them.
    /// </summary>
    public static void WarpEpoch(
        ArrayView<int> users,
        ArrayView<int> items,
        ArrayView<int> seenPtr,
        ArrayView<int> seenItems,
        HybridSide userSide,
        HybridSide itemSide,
        HybridTables tables,
        ArrayView<float> scratch,
        ArrayView<float> loss,
        ArrayView<long> counts,
        PairwiseStep step)
    {
        int warpSize = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int k = step.Factors;
        int m = step.MaxSampled;
        var warp = PairwiseWarp.Begin(step, counts);
        long p = 3L * k * warp.Index;
        long qi = p + k;
        long qj = qi + k;
        float lossSum = 0f;
        long violated = 0;
        long trialSum = 0;
        for (int s = warp.First(step); s < step.End; s += warp.Count)
        {
            PairwiseWarp.Positive(step, s, users, items, out int u, out int i);
            ulong key = warp.Random.NextULong();
            HybridSgd.Compose(userSide, tables.Users, u, scratch, p, k);
            HybridSgd.Compose(itemSide, tables.Items, i, scratch, qi, k);
            float partial = lane == 0 && step.UseBias != 0 ? HybridSgd.ComposeBias(itemSide, tables.Biases, i) : 0f;
            for (int f = lane; f < k; f += warpSize)
            {
                partial += scratch[p + f] * scratch[qi + f];
            }
            float threshold = LaneReduce.Sum(partial) - WarpLossKernels.Margin;
            int start = seenPtr[u];
            int end = seenPtr[u + 1];
            int chosen = -1;
            float chosenScore = 0f;
            int trials = m;
            for (int t = 0; t < m; t++)
            {
                int j = PairwiseSgd.Candidate(key, t, step.ItemCount);
                HybridSgd.Compose(itemSide, tables.Items, j, scratch, qj, k);
                partial = lane == 0 && step.UseBias != 0 ? HybridSgd.ComposeBias(itemSide, tables.Biases, j) : 0f;
                for (int f = lane; f < k; f += warpSize)
                {
                    partial += scratch[p + f] * scratch[qj + f];
                }
                float score = LaneReduce.Sum(partial);
                if (score > threshold && !SortedRange.Contains(seenItems, start, end, j))
                {
                    chosen = j;
                    chosenScore = score;
                    trials = t + 1;
                    break;
                }
            }
            trialSum += trials;
            if (chosen >= 0)
            {
                violated++;
                float weight = PairwiseSgd.RankWeight((step.ItemCount - 1) / trials);
                Step(userSide, itemSide, tables, scratch, u, i, chosen, p, k, weight, step);
                if (lane == 0)
                {
                    lossSum += weight * (chosenScore - threshold);
                }
            }
        }
        warp.End(loss, counts, lossSum, violated, trialSum);
    }

    /// <summary>
    /// The step raising p_u·q_i − p_u·q_j (+ b_i − b_j) with weight <paramref name="c"/>, from the composed vectors at
    /// scratch[p …] (p_u, then q_i, then q_j): item i's rows along c·p_u, item j's along −c·p_u, then the user's
    /// along c·(q_i − q_j), which the lanes first write over q_i's slot; lane 0 moves the biases.
    /// </summary>
    private static void Step(HybridSide userSide, HybridSide itemSide, HybridTables tables, ArrayView<float> scratch, int u, int i, int j, long p, int k, float c, PairwiseStep step)
    {
        long qi = p + k;
        long qj = qi + k;
        float lr = step.LearningRate;
        float reg = step.Regularization;
        HybridSgd.Ascend(itemSide, i, tables.Items, tables.ItemSums, scratch, p, k, c, lr, reg, step.Adagrad);
        HybridSgd.Ascend(itemSide, j, tables.Items, tables.ItemSums, scratch, p, k, -c, lr, reg, step.Adagrad);
        for (int f = Warp.LaneIdx; f < k; f += Warp.WarpSize)
        {
            scratch[qi + f] -= scratch[qj + f];
        }
        HybridSgd.Ascend(userSide, u, tables.Users, tables.UserSums, scratch, qi, k, c, lr, reg, step.Adagrad);
        if (Warp.LaneIdx == 0 && step.UseBias != 0)
        {
            HybridSgd.AscendBias(itemSide, i, tables.Biases, tables.BiasSums, c, lr, reg, step.Adagrad);
            HybridSgd.AscendBias(itemSide, j, tables.Biases, tables.BiasSums, -c, lr, reg, step.Adagrad);
        }
    }
}
