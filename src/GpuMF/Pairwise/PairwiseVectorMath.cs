using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GpuMF.Pairwise;

/// <summary>
/// The CPU backend's SIMD form of the pairwise step of <see cref="GpuMF.Kernels.Pairwise.PairwiseSgd"/>: the same
/// expressions, so that one CPU thread and one GPU warp agree to rounding. Dot products use fused
/// multiply-adds where the processor has them, and adagrad's 1/√G the processor's reciprocal square
/// root estimate refined by one Newton step (relative error about 1e-7), since a true square root and
/// division per factor cost more than the rest of a BPR step.
/// </summary>
internal static unsafe class PairwiseVectorMath
{
    /// <summary>a·b over k values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int k)
    {
        int w = Vector<float>.Count;
        int f = 0;
        var acc = Vector<float>.Zero;
        for (; f <= k - w; f += w)
        {
            acc = MultiplyAdd(Unsafe.Read<Vector<float>>(a + f), Unsafe.Read<Vector<float>>(b + f), acc);
        }
        float sum = Vector.Sum(acc);
        for (; f < k; f++)
        {
            sum += a[f] * b[f];
        }
        return sum;
    }

    /// <summary>p·(a − b) over k values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DiffDot(float* p, float* a, float* b, int k)
    {
        int w = Vector<float>.Count;
        int f = 0;
        var acc = Vector<float>.Zero;
        for (; f <= k - w; f += w)
        {
            acc = MultiplyAdd(Unsafe.Read<Vector<float>>(p + f), Unsafe.Read<Vector<float>>(a + f) - Unsafe.Read<Vector<float>>(b + f), acc);
        }
        float sum = Vector.Sum(acc);
        for (; f < k; f++)
        {
            sum += p[f] * (a[f] - b[f]);
        }
        return sum;
    }

    /// <summary>
    /// Raises p_u·q_i − p_u·q_j with weight c: plain SGD with step η when <paramref name="gp"/> is null,
    /// else adagrad with the accumulators gp, gqi, gqj. New values come from the old ones; q_j is written last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update(float* pu, float* qi, float* qj, float* gp, float* gqi, float* gqj, int k, float c, float lr, float reg)
    {
        int w = Vector<float>.Count;
        int f = 0;
        var vc = new Vector<float>(c);
        var vLr = new Vector<float>(lr);
        var vReg = new Vector<float>(reg);
        if (gp == null)
        {
            for (; f <= k - w; f += w)
            {
                var a = Unsafe.Read<Vector<float>>(pu + f);
                var b = Unsafe.Read<Vector<float>>(qi + f);
                var d = Unsafe.Read<Vector<float>>(qj + f);
                var da = vc * (b - d) - vReg * a;
                var db = vc * a - vReg * b;
                var dd = -vc * a - vReg * d;
                Unsafe.Write(pu + f, a + vLr * da);
                Unsafe.Write(qi + f, b + vLr * db);
                Unsafe.Write(qj + f, d + vLr * dd);
            }
            for (; f < k; f++)
            {
                float a = pu[f], b = qi[f], d = qj[f];
                float da = c * (b - d) - reg * a;
                float db = c * a - reg * b;
                float dd = -c * a - reg * d;
                pu[f] = a + lr * da;
                qi[f] = b + lr * db;
                qj[f] = d + lr * dd;
            }
            return;
        }
        for (; f <= k - w; f += w)
        {
            var a = Unsafe.Read<Vector<float>>(pu + f);
            var b = Unsafe.Read<Vector<float>>(qi + f);
            var d = Unsafe.Read<Vector<float>>(qj + f);
            var ga = Unsafe.Read<Vector<float>>(gp + f);
            var gb = Unsafe.Read<Vector<float>>(gqi + f);
            var gd = Unsafe.Read<Vector<float>>(gqj + f);
            var da = vc * (b - d) - vReg * a;
            var db = vc * a - vReg * b;
            var dd = -vc * a - vReg * d;
            Unsafe.Write(pu + f, a + vLr * InverseSqrt(ga) * da);
            Unsafe.Write(qi + f, b + vLr * InverseSqrt(gb) * db);
            Unsafe.Write(qj + f, d + vLr * InverseSqrt(gd) * dd);
            Unsafe.Write(gp + f, ga + da * da);
            Unsafe.Write(gqi + f, gb + db * db);
            Unsafe.Write(gqj + f, gd + dd * dd);
        }
        for (; f < k; f++)
        {
            float a = pu[f], b = qi[f], d = qj[f];
            float ga = gp[f], gb = gqi[f], gd = gqj[f];
            float da = c * (b - d) - reg * a;
            float db = c * a - reg * b;
            float dd = -c * a - reg * d;
            pu[f] = a + lr / MathF.Sqrt(ga) * da;
            qi[f] = b + lr / MathF.Sqrt(gb) * db;
            qj[f] = d + lr / MathF.Sqrt(gd) * dd;
            gp[f] = ga + da * da;
            gqi[f] = gb + db * db;
            gqj[f] = gd + dd * dd;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) =>
        Fma.IsSupported ? Vector.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary>1/√g for g ≥ 1: the AVX estimate (relative error ≤ 1.5·2⁻¹²) and one Newton step y(3 − g·y²)/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> InverseSqrt(Vector<float> g)
    {
        if (Avx.IsSupported && Vector<float>.Count == Vector256<float>.Count)
        {
            var x = g.AsVector256();
            var y = Avx.ReciprocalSqrt(x);
            return (y * (Vector256.Create(1.5f) - Vector256.Create(0.5f) * x * y * y)).AsVector();
        }
        return Vector<float>.One / Vector.SquareRoot(g);
    }

    /// <summary>
    /// The bias part of the step: b_i gains c − λb_i, b_j gains −c − λb_j. Each bias sits at
    /// <paramref name="bi"/>[0] (<paramref name="bj"/>[0]) with its adagrad sum at [1], used when
    /// <paramref name="adagrad"/>; b_j is written last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void UpdateBiases(float* bi, float* bj, bool adagrad, float c, float lr, float reg)
    {
        float a = bi[0];
        float b = bj[0];
        float da = c - reg * a;
        float db = -c - reg * b;
        if (!adagrad)
        {
            bi[0] = a + lr * da;
            bj[0] = b + lr * db;
            return;
        }
        float ga = bi[1];
        float gb = bj[1];
        bi[0] = a + lr / MathF.Sqrt(ga) * da;
        bj[0] = b + lr / MathF.Sqrt(gb) * db;
        bi[1] = ga + da * da;
        bj[1] = gb + db * db;
    }
}
