using ILGPU;

namespace GpuMF.Kernels.Lanes;

/// <summary>
/// Matrix–vector products for one warp whose lane l owns the vector elements l, l+W, l+2W… (W the warp
/// size, read at run time). A lane reads and writes only its own elements; the elements it needs from
/// other lanes arrive by shuffles, so no lane ever reads memory another lane wrote.
/// </summary>
public static class LaneMatVec
{
    /// <summary>
    /// <paramref name="result"/> = M·<paramref name="v"/> for a symmetric k × k row-major M. Lane l
    /// computes result[f] = Σ_c M[c, f]·v[c] for its own f, so that the lanes of a warp read a row of M
    /// contiguously (the symmetry makes M[c, f] = M[f, c]).
    /// </summary>
    public static void Symmetric(ArrayView<float> matrix, ArrayView<float> v, ArrayView<float> result, int k)
    {
        int w = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        for (int f0 = 0; f0 < k; f0 += w)
        {
            int f = f0 + lane;
            float acc = 0f;
            for (int c0 = 0; c0 < k; c0 += w)
            {
                float mine = c0 + lane < k ? v[c0 + lane] : 0f;
                int last = k - c0 < w ? k - c0 : w;
                for (int s = 0; s < last; s++)
                {
                    float vc = Warp.Shuffle(mine, s);
                    if (f < k)
                    {
                        acc += matrix[(long)(c0 + s) * k + f] * vc;
                    }
                }
            }
            if (f < k)
            {
                result[f] = acc;
            }
        }
    }
}
