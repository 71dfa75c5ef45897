using GpuMF.Kernels.Lanes;
using GpuMF.Kernels.Sparse;
using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// Bayesian personalised ranking (Rendle, Freudenthaler, Gantner, Schmidt-Thieme, "BPR: Bayesian
/// personalized ranking from implicit feedback", UAI 2009) by lock-free SGD, one warp per sampled triple.
/// </summary>
public static class BprKernels
{
    /// <summary>Draws of j per sample before a user who has (nearly) every item is skipped.</summary>
    public const int MaxNegativeDraws = 32;

    /// <summary>
    /// Samples [<c>step.First</c>, <c>step.End</c>) of an epoch. Warp w takes positions First + w, First + w + warps, … of the epoch's
    /// affine order of the observed pairs, so that every (u, i) is uniform over the pairs and each pair
    /// comes once per epoch, and draws j uniformly over the items from the stream (seed, epoch, w),
    /// redrawn while observed when asked. Every lane keeps an identical copy of the stream, so the
    /// lanes agree on every triple without communicating. Lane l holds factors l, l+W, … of p_u, q_i and q_j; x = p_u·(q_i − q_j)
    /// + b_i − b_j is a shuffle reduction, and each lane ascends ln σ(x) − λ‖θ‖² on its own factors
    /// with weight σ(−x). Only lane 0 touches the biases: lanes need not run in lockstep, so a bias read
    /// by another lane could already hold lane 0's write. In given mode sample s is the triple
    /// (users[s], items[s], negatives[s]) and no random number is drawn. Warp w writes its summed loss
    /// −ln σ(x) to <paramref name="loss"/>[w], and the count of triples ranked right before the step
    /// (x &gt; 0) and of j draws to <paramref name="counts"/>[3w] and [3w + 1]. Every launch leaves the warp's
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
        var warp = PairwiseWarp.Begin(step, counts);
        float lossSum = 0f;
        long correct = 0;
        long draws = 0;
        for (int s = warp.First(step); s < step.End; s += warp.Count)
        {
            PairwiseWarp.Positive(step, s, users, items, out int u, out int i);
            int j;
            bool found = true;
            if (step.Given != 0)
            {
                j = negatives[s];
                draws++;
            }
            else
            {
                j = warp.Random.NextInt(step.ItemCount);
                draws++;
                if (step.RejectObserved != 0)
                {
                    int start = seenPtr[u];
                    int end = seenPtr[u + 1];
                    int tries = 1;
                    while (SortedRange.Contains(seenItems, start, end, j))
                    {
                        if (tries == MaxNegativeDraws)
                        {
                            found = false;
                            break;
                        }
                        j = warp.Random.NextInt(step.ItemCount);
                        draws++;
                        tries++;
                    }
                }
            }
            if (!found)
            {
                continue;
            }
            long pu = (long)u * k;
            long qi = (long)i * k;
            long qj = (long)j * k;
            float partial = 0f;
            if (lane == 0 && step.UseBias != 0)
            {
                partial = itemBias[i] - itemBias[j];
            }
            for (int f = lane; f < k; f += warpSize)
            {
                partial += p[pu + f] * (q[qi + f] - q[qj + f]);
            }
            float x = LaneReduce.Sum(partial);
            float z = 1f / (1f + MathF.Exp(x));
            PairwiseSgd.UpdateFactors(p, q, gp, gq, pu, qi, qj, k, z, step.LearningRate, step.Regularization, step.Adagrad);
            if (lane == 0)
            {
                if (step.UseBias != 0)
                {
                    PairwiseSgd.UpdateBiases(itemBias, gb, i, j, z, step.LearningRate, step.Regularization, step.Adagrad);
                }
                lossSum += PairwiseSgd.SoftplusOfNegative(x);
                if (x > 0f)
                {
                    correct++;
                }
            }
        }
        warp.End(loss, counts, lossSum, correct, draws);
    }
}
