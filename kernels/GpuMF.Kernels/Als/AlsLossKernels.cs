using GpuMF.Kernels.Lanes;
using ILGPU;

namespace GpuMF.Kernels.Als;

/// <summary>
/// The implicit-ALS objective's data term, Σ_u [x_uᵀ G x_u + Σ_{i∈I_u} (c_ui (1 − s_ui)² − s_ui²)] with
/// s_ui = x_u·y_i and G = YᵀY + λI: the sum over every (u, i) pair of c_ui (p_ui − s_ui)² plus λ|X|²,
/// computed without visiting the unobserved pairs.
/// </summary>
public static class AlsLossKernels
{
    /// <summary>
    /// One warp per user, warps striding over the users; each warp adds its users' terms into
    /// <paramref name="loss"/>[warp]. <paramref name="scratch"/> holds k floats per warp.
    /// </summary>
    public static void Loss(
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> scratch,
        ArrayView<float> loss,
        AlsStep step)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warp = LaneGrid.WarpIndex;
        int warps = LaneGrid.WarpCount;
        int k = step.Factors;
        var gx = scratch.SubView((long)warp * k, k);
        float total = 0f;
        for (int row = warp; row < step.Rows; row += warps)
        {
            var x = factors.SubView((long)row * k, k);
            LaneMatVec.Symmetric(gram, x, gx, k);
            float quad = 0f;
            for (int f = lane; f < k; f += w)
            {
                quad += x[f] * gx[f];
            }
            float sum = LaneReduce.Sum(quad);
            for (int e = ptr[row]; e < ptr[row + 1]; e++)
            {
                long yi = (long)idx[e] * k;
                float part = 0f;
                for (int f = lane; f < k; f += w)
                {
                    part += other[yi + f] * x[f];
                }
                float s = LaneReduce.Sum(part);
                sum += conf[e] * (1f - s) * (1f - s) - s * s;
            }
            total += sum;
        }
        if (lane == 0)
        {
            loss[warp] += total;
        }
    }
}
