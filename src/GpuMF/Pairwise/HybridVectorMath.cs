using System.Numerics;
using System.Runtime.CompilerServices;

namespace GpuMF.Pairwise;

/// <summary>
/// The CPU backend's SIMD form of <see cref="GpuMF.Kernels.Pairwise.HybridSgd"/>: composing a vector from feature rows,
/// and one row's share of the step, with the expressions (and the reciprocal square root) of
/// <see cref="PairwiseVectorMath"/>, so that a row of weight 1 moves exactly as a plain model's row does.
/// </summary>
internal static unsafe class HybridVectorMath
{
    /// <summary>acc += w·e over k values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(float* acc, float* e, float w, int k)
    {
        int width = Vector<float>.Count;
        int f = 0;
        var vw = new Vector<float>(w);
        for (; f <= k - width; f += width)
        {
            Unsafe.Write(acc + f, Unsafe.Read<Vector<float>>(acc + f) + vw * Unsafe.Read<Vector<float>>(e + f));
        }
        for (; f < k; f++)
        {
            acc[f] += w * e[f];
        }
    }

    /// <summary>target = a − b over k values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Difference(float* a, float* b, float* target, int k)
    {
        int width = Vector<float>.Count;
        int f = 0;
        for (; f <= k - width; f += width)
        {
            Unsafe.Write(target + f, Unsafe.Read<Vector<float>>(a + f) - Unsafe.Read<Vector<float>>(b + f));
        }
        for (; f < k; f++)
        {
            target[f] = a[f] - b[f];
        }
    }

    /// <summary>
    /// One feature row's share of the step: e moves along d = c·direction − λe, by η·d (plain SGD, <paramref name="g"/>
    /// null) or η/√G·d with G += d² (adagrad, G at <paramref name="g"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Ascend(float* e, float* g, float* direction, float c, int k, float lr, float reg)
    {
        int width = Vector<float>.Count;
        int f = 0;
        var vc = new Vector<float>(c);
        var vLr = new Vector<float>(lr);
        var vReg = new Vector<float>(reg);
        if (g == null)
        {
            for (; f <= k - width; f += width)
            {
                var a = Unsafe.Read<Vector<float>>(e + f);
                var d = vc * Unsafe.Read<Vector<float>>(direction + f) - vReg * a;
                Unsafe.Write(e + f, a + vLr * d);
            }
            for (; f < k; f++)
            {
                float a = e[f];
                float d = c * direction[f] - reg * a;
                e[f] = a + lr * d;
            }
            return;
        }
        for (; f <= k - width; f += width)
        {
            var a = Unsafe.Read<Vector<float>>(e + f);
            var ga = Unsafe.Read<Vector<float>>(g + f);
            var d = vc * Unsafe.Read<Vector<float>>(direction + f) - vReg * a;
            Unsafe.Write(e + f, a + vLr * PairwiseVectorMath.InverseSqrt(ga) * d);
            Unsafe.Write(g + f, ga + d * d);
        }
        for (; f < k; f++)
        {
            float a = e[f];
            float ga = g[f];
            float d = c * direction[f] - reg * a;
            e[f] = a + lr / MathF.Sqrt(ga) * d;
            g[f] = ga + d * d;
        }
    }
}
