using GpuMF.Kernels.Lanes;
using ILGPU;

namespace GpuMF.Kernels.Als;

/// <summary>
/// Implicit ALS rows by conjugate gradient (Takács, Pilászy, Tikk, "Applications of the conjugate
/// gradient method for implicit feedback collaborative filtering", RecSys 2011; the solver of the
/// implicit library): a few CG steps on A x = b per row, warm-started from the row's current factors,
/// where A = G + Σ_i (c_i − 1) y_i y_iᵀ and b = Σ_i c_i y_i are never formed: A·v is G·v plus one pass
/// over the row's interactions.
/// </summary>
/// <remarks>
/// Every row advances in lockstep, one launch per phase, with the rows' vectors (r, p, Ap: rows × k each)
/// and squared residuals in device memory. The dense part (G·v, the CG update) runs one warp per row; the
/// interaction passes run one warp per segment of at most <see cref="CgStep.SegmentLength"/> interactions
/// of one row. Power-law data has rows (popular items) with a tenth of all interactions: a warp per row
/// would leave that row's warp running long after the rest of the device went idle, while segments keep
/// every warp's share equal. A row split into several segments has its partial sums added atomically, so
/// only such rows may differ between runs in the last bits.
/// </remarks>
public static class ConjugateGradientKernels
{
    /// <summary>Squared residual below which a row counts as solved (as in implicit).</summary>
    public const float Tolerance = 1e-20f;

    /// <summary>
    /// The dense phases, one warp per row, warps striding over the rows. <paramref name="gram"/> is
    /// G = OᵀO + λI of the other side; <paramref name="r"/>, <paramref name="p"/>, <paramref name="ap"/> hold
    /// k floats per row and <paramref name="rs"/> one. On the last update each warp adds the squared norm
    /// of the rows it holds into <paramref name="norms"/>[warp].
    /// </summary>
    public static void Rows(
        ArrayView<float> gram,
        ArrayView<float> factors,
        ArrayView<float> r,
        ArrayView<float> p,
        ArrayView<float> ap,
        ArrayView<float> rs,
        ArrayView<float> norms,
        CgStep step)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warp = LaneGrid.WarpIndex;
        int warps = LaneGrid.WarpCount;
        int k = step.Factors;
        float norm = 0f;
        for (int row = warp; row < step.Rows; row += warps)
        {
            long at = (long)row * k;
            var x = factors.SubView(at, k);
            var rRow = r.SubView(at, k);
            var pRow = p.SubView(at, k);
            var apRow = ap.SubView(at, k);
            if (step.Phase == CgStep.Begin)
            {
                LaneMatVec.Symmetric(gram, x, rRow, k);
                for (int f = lane; f < k; f += w)
                {
                    rRow[f] = -rRow[f];
                }
            }
            else if (step.Phase == CgStep.First)
            {
                float sum = 0f;
                for (int f = lane; f < k; f += w)
                {
                    float rf = rRow[f];
                    pRow[f] = rf;
                    sum += rf * rf;
                }
                sum = LaneReduce.Sum(sum);
                if (lane == 0)
                {
                    rs[row] = sum;
                }
                LaneMatVec.Symmetric(gram, pRow, apRow, k);
            }
            else
            {
                Advance(gram, x, rRow, pRow, apRow, rs, row, k, step.Last != 0);
            }
            if (step.Last != 0)
            {
                for (int f = lane; f < k; f += w)
                {
                    norm += x[f] * x[f];
                }
            }
        }
        if (step.Last != 0)
        {
            norm = LaneReduce.Sum(norm);
            if (lane == 0)
            {
                norms[warp] += norm;
            }
        }
    }

    /// <summary>
    /// An interaction pass, one warp per segment (<paramref name="segmentRows"/>[s], starting at interaction
    /// <paramref name="segmentStarts"/>[s], at most <see cref="CgStep.SegmentLength"/> of them, never past its
    /// row's end), warps striding over the segments. <see cref="CgStep.Residual"/> adds
    /// Σ_i (c_i − (c_i − 1)·y_i·v)·y_i into <paramref name="sums"/>, <see cref="CgStep.Product"/> adds
    /// Σ_i (c_i − 1)·(y_i·v)·y_i, skipping rows already solved. <paramref name="local"/> holds k floats per warp.
    /// </summary>
    public static void Interactions(
        ArrayView<int> segmentRows,
        ArrayView<int> segmentStarts,
        ArrayView<int> ptr,
        ArrayView<int> idx,
        ArrayView<float> conf,
        ArrayView<float> other,
        ArrayView<float> v,
        ArrayView<float> sums,
        ArrayView<float> rs,
        ArrayView<float> local,
        CgStep step)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warp = LaneGrid.WarpIndex;
        int warps = LaneGrid.WarpCount;
        int k = step.Factors;
        bool residual = step.Phase == CgStep.Residual;
        var acc = local.SubView((long)warp * k, k);
        for (int s = warp; s < step.Segments; s += warps)
        {
            int row = segmentRows[s];
            if (!residual && rs[row] < Tolerance)
            {
                continue;
            }
            int first = segmentStarts[s];
            int rowEnd = ptr[row + 1];
            int end = first + step.SegmentLength < rowEnd ? first + step.SegmentLength : rowEnd;
            long at = (long)row * k;
            for (int f = lane; f < k; f += w)
            {
                acc[f] = 0f;
            }
            for (int e = first; e < end; e++)
            {
                long yi = (long)idx[e] * k;
                float c = conf[e];
                float part = 0f;
                for (int f = lane; f < k; f += w)
                {
                    part += other[yi + f] * v[at + f];
                }
                float dot = LaneReduce.Sum(part);
                float coef = residual ? c - (c - 1f) * dot : (c - 1f) * dot;
                for (int f = lane; f < k; f += w)
                {
                    acc[f] += coef * other[yi + f];
                }
            }
            // A segment that is its row needs no atomics: no other warp touches the row in this pass.
            bool whole = first == ptr[row] && end == rowEnd;
            for (int f = lane; f < k; f += w)
            {
                if (whole)
                {
                    sums[at + f] += acc[f];
                }
                else
                {
                    Atomic.Add(ref sums[at + f], acc[f]);
                }
            }
        }
    }

    /// <summary>x += α·p, r −= α·Ap, p = r + β·p with α = rs / p·Ap and β = rs' / rs; then Ap = G·p unless last.</summary>
    private static void Advance(ArrayView<float> gram, ArrayView<float> x, ArrayView<float> r, ArrayView<float> p, ArrayView<float> ap, ArrayView<float> rs, int row, int k, bool last)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        float before = rs[row];
        if (before < Tolerance)
        {
            return;
        }
        float pap = 0f;
        for (int f = lane; f < k; f += w)
        {
            pap += p[f] * ap[f];
        }
        float alpha = before / LaneReduce.Sum(pap);
        float rn = 0f;
        for (int f = lane; f < k; f += w)
        {
            x[f] += alpha * p[f];
            float rf = r[f] - alpha * ap[f];
            r[f] = rf;
            rn += rf * rf;
        }
        rn = LaneReduce.Sum(rn);
        float beta = rn / before;
        for (int f = lane; f < k; f += w)
        {
            p[f] = r[f] + beta * p[f];
        }
        // Every lane has read rs[row] above; lane 0 alone writes it, and no lane reads it again in this launch.
        Warp.Barrier();
        if (lane == 0)
        {
            rs[row] = rn;
        }
        if (!last)
        {
            LaneMatVec.Symmetric(gram, p, ap, k);
        }
    }
}
