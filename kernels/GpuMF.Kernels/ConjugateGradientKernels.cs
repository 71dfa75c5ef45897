using ILGPU;

namespace GpuMF.Kernels;

/// <summary>
/// Implicit ALS rows by conjugate gradient (Takács, Pilászy, Tikk, "Applications of the conjugate
/// gradient method for implicit feedback collaborative filtering", RecSys 2011; the solver of the
/// implicit library): a few CG steps on A x = b per row, warm-started from the row's current factors,
/// where A = G + Σ_i (c_i − 1) y_i y_iᵀ and b = Σ_i c_i y_i are never formed: A·v is G·v plus one
/// pass over the row's interactions.
/// </summary>
public static class ConjugateGradientKernels
{
    /// <summary>Squared residual below which a row counts as solved (as in implicit).</summary>
    public const float Tolerance = 1e-20f;

    /// <summary>
    /// Updates every row of <paramref name="factors"/> in place, one warp per row, warps striding over the
    /// rows. <paramref name="ptr"/>/<paramref name="idx"/>/<paramref name="conf"/> are the CSR of the side
    /// being solved (indices into <paramref name="other"/>, confidences c ≥ 1); <paramref name="gram"/> is
    /// G = OᵀO + λI of the other side. <paramref name="scratch"/> holds 3·k floats per warp (r, p, A·p).
    /// Each warp adds the squared norm of the rows it solved into <paramref name="norms"/>[warp].
    /// </summary>
    public static void Solve(
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> scratch,
        ArrayView<float> norms,
        AlsStep step)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warp = Grid.GlobalIndex.X / w;
        int warps = Grid.DimX * Group.DimX / w;
        int k = step.Factors;
        var r = scratch.SubView((long)warp * 3 * k, k);
        var p = scratch.SubView((long)warp * 3 * k + k, k);
        var ap = scratch.SubView((long)warp * 3 * k + 2 * k, k);
        float norm = 0f;
        for (int row = warp; row < step.Rows; row += warps)
        {
            var x = factors.SubView((long)row * k, k);
            int first = ptr[row];
            int end = ptr[row + 1];
            WarpMatVec.Symmetric(gram, x, r, k);
            for (int f = lane; f < k; f += w)
            {
                r[f] = -r[f];
            }
            // The residual b − A·x = −G·x + Σ_i (c_i − (c_i − 1)·y_i·x)·y_i, one pass over the row.
            for (int e = first; e < end; e++)
            {
                long yi = (long)idx[e] * k;
                float c = conf[e];
                float part = 0f;
                for (int f = lane; f < k; f += w)
                {
                    part += other[yi + f] * x[f];
                }
                float coef = c - (c - 1f) * WarpReduce.Sum(part);
                for (int f = lane; f < k; f += w)
                {
                    r[f] += coef * other[yi + f];
                }
            }
            float rs = 0f;
            for (int f = lane; f < k; f += w)
            {
                float rf = r[f];
                p[f] = rf;
                rs += rf * rf;
            }
            rs = WarpReduce.Sum(rs);
            for (int s = 0; s < step.CgSteps && rs >= Tolerance; s++)
            {
                WarpMatVec.Symmetric(gram, p, ap, k);
                for (int e = first; e < end; e++)
                {
                    long yi = (long)idx[e] * k;
                    float part = 0f;
                    for (int f = lane; f < k; f += w)
                    {
                        part += other[yi + f] * p[f];
                    }
                    float coef = (conf[e] - 1f) * WarpReduce.Sum(part);
                    for (int f = lane; f < k; f += w)
                    {
                        ap[f] += coef * other[yi + f];
                    }
                }
                float pap = 0f;
                for (int f = lane; f < k; f += w)
                {
                    pap += p[f] * ap[f];
                }
                float alpha = rs / WarpReduce.Sum(pap);
                float rn = 0f;
                for (int f = lane; f < k; f += w)
                {
                    x[f] += alpha * p[f];
                    float rf = r[f] - alpha * ap[f];
                    r[f] = rf;
                    rn += rf * rf;
                }
                rn = WarpReduce.Sum(rn);
                float beta = rn / rs;
                for (int f = lane; f < k; f += w)
                {
                    p[f] = r[f] + beta * p[f];
                }
                rs = rn;
            }
            for (int f = lane; f < k; f += w)
            {
                norm += x[f] * x[f];
            }
        }
        norm = WarpReduce.Sum(norm);
        if (lane == 0)
        {
            norms[warp] += norm;
        }
    }
}
