using GpuMF.Kernels.Lanes;
using ILGPU;

namespace GpuMF.Kernels.Svd;

/// <summary>Biased matrix factorisation by lock-free (Hogwild) SGD.</summary>
public static class SgdKernels
{
    /// <summary>
    /// Positions [<c>step.First</c>, <c>step.End</c>) of an epoch over <c>step.Count</c> ratings, one warp per rating: lane l holds factors l, l+W, l+2W…
    /// of p_u and q_i; the prediction's dot product is a butterfly shuffle reduction, so every lane
    /// ends with the same error and updates its own factors in place. Warps stride over the ratings
    /// in the epoch's affine order. Each warp adds its squared errors into <paramref name="loss"/>[warp], so that
    /// the launches of one epoch sum there.
    /// </summary>
    public static void Epoch(
        ArrayView<int> users,
        ArrayView<int> items,
        ArrayView<float> ratings,
        ArrayView<float> p,
        ArrayView<float> q,
        ArrayView<float> userBias,
        ArrayView<float> itemBias,
        ArrayView<float> loss,
        SgdStep step)
    {
        int warpSize = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warp = LaneGrid.WarpIndex;
        int warps = LaneGrid.WarpCount;
        int k = step.Factors;
        float lr = step.LearningRate;
        float sq = 0f;
        for (int t = step.First + warp; t < step.End; t += warps)
        {
            int idx = (int)((step.OrderA * t + step.OrderB) % step.Count);
            int u = users[idx];
            int i = items[idx];
            long pu = (long)u * k;
            long qi = (long)i * k;
            // Only lane 0 touches the biases: lanes of a warp need not run in lockstep (Volta's
            // independent scheduling, ILGPU's CPU accelerator), so a bias read by another lane could
            // already carry lane 0's update. Lane 0 folds them into its share of the sum instead.
            float bu = 0f;
            float bi = 0f;
            float partial = 0f;
            if (lane == 0)
            {
                bu = userBias[u];
                bi = itemBias[i];
                partial = bu + bi;
            }
            for (int f = lane; f < k; f += warpSize)
            {
                partial += p[pu + f] * q[qi + f];
            }
            float err = ratings[idx] - (step.Mean + LaneReduce.Sum(partial));
            for (int f = lane; f < k; f += warpSize)
            {
                float pf = p[pu + f];
                float qf = q[qi + f];
                p[pu + f] = pf + lr * (err * qf - step.Regularization * pf);
                q[qi + f] = qf + lr * (err * pf - step.Regularization * qf);
            }
            if (lane == 0)
            {
                userBias[u] = bu + lr * (err - step.BiasRegularization * bu);
                itemBias[i] = bi + lr * (err - step.BiasRegularization * bi);
                sq += err * err;
            }
        }
        if (lane == 0)
        {
            loss[warp] += sq;
        }
    }
}
