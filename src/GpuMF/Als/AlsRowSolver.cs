using System.Numerics;
using System.Runtime.CompilerServices;
using GpuMF.Kernels.Als;

namespace GpuMF.Als;

/// <summary>
/// The per-row arithmetic of implicit ALS on the host, SIMD over the k factors: the Gram matrix, one row's
/// conjugate-gradient or Cholesky solve, and one user's loss term. It follows the ILGPU kernels
/// (<see cref="ConjugateGradientKernels"/>, <see cref="CholeskyKernels"/>, <see cref="AlsLossKernels"/>)
/// step for step, so the two agree up to float rounding. Sums of rows keep a block of the result in
/// vector registers across a whole row's interactions (<see cref="Combine"/>, <see cref="Project"/>),
/// which is where the time goes.
/// The hot methods are compiled fully optimised at once: the first iterations would otherwise run tier-0 code.
/// </summary>
internal static unsafe class AlsRowSolver
{
    /// <summary>
    /// Adds w_j·y_j·y_jᵀ for four rows at once into the upper triangle of the row-major k × k matrix
    /// <paramref name="a"/> (loading each row of a once per four updates). Row r is updated from column r
    /// rounded down to the vector width, so some entries below the diagonal change too; they are never read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddOuterProducts(float* a, int k, float* y0, float* y1, float* y2, float* y3, float w0, float w1, float w2, float w3)
    {
        int v = Vector<float>.Count;
        for (int r = 0; r < k; r++)
        {
            float* row = a + (long)r * k;
            float s0 = w0 * y0[r], s1 = w1 * y1[r], s2 = w2 * y2[r], s3 = w3 * y3[r];
            var v0 = new Vector<float>(s0);
            var v1 = new Vector<float>(s1);
            var v2 = new Vector<float>(s2);
            var v3 = new Vector<float>(s3);
            int f = r / v * v;
            for (; f <= k - v; f += v)
            {
                var acc = Vector.MultiplyAddEstimate(v0, Load(y0 + f), Load(row + f));
                acc = Vector.MultiplyAddEstimate(v1, Load(y1 + f), acc);
                acc = Vector.MultiplyAddEstimate(v2, Load(y2 + f), acc);
                acc = Vector.MultiplyAddEstimate(v3, Load(y3 + f), acc);
                Store(row + f, acc);
            }
            for (; f < k; f++)
            {
                row[f] += s0 * y0[f] + s1 * y1[f] + s2 * y2[f] + s3 * y3[f];
            }
        }
    }

    /// <summary>
    /// One row by <paramref name="steps"/> conjugate-gradient steps on A x = b, A = G + Σ (c_e − 1) y_e y_eᵀ,
    /// b = Σ c_e y_e, starting from and updating <paramref name="x"/>. r, p and ap are k-float scratch,
    /// d holds n floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConjugateGradient(float* gram, float* other, int* idx, float* conf, int n, float* x, int k, int steps, float* r, float* p, float* ap, float* d)
    {
        // r = b − A·x = Σ (c_e − (c_e − 1)·y_e·x)·y_e − G·x
        Combine(r, gram, null, x, k, k, k, add: false);
        Scale(r, -1f, k);
        Project(other, idx, conf, n, x, r, k, residual: true, d);
        Copy(r, p, k);
        float rs = Dot(r, r, k);
        for (int s = 0; s < steps && rs >= ConjugateGradientKernels.Tolerance; s++)
        {
            // ap = A·p = G·p + Σ (c_e − 1)(y_e·p)·y_e
            Combine(ap, gram, null, p, k, k, k, add: false);
            Project(other, idx, conf, n, p, ap, k, residual: false, d);
            float alpha = rs / Dot(p, ap, k);
            Axpy(alpha, p, x, k);
            Axpy(-alpha, ap, r, k);
            float rn = Dot(r, r, k);
            Xpby(r, rn / rs, p, k);
            rs = rn;
        }
    }

    /// <summary>
    /// One row solved exactly: builds A (upper triangle) and b in the k² + k floats at <paramref name="a"/>
    /// and <paramref name="b"/>, factors A = UᵀU (U upper triangular, stored over A; <paramref name="column"/>
    /// is k floats of scratch) and writes the solution to <paramref name="x"/>. A pivot that rounding made
    /// non-positive yields NaN, which the caller's norm check reports.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Cholesky(float* gram, float* other, int* idx, float* conf, int n, float* x, int k, float* a, float* b, float* column)
    {
        long bytes = (long)k * k * sizeof(float);
        Buffer.MemoryCopy(gram, a, bytes, bytes);
        int e = 0;
        for (; e + 4 <= n; e += 4)
        {
            AddOuterProducts(a, k, Row(other, idx[e], k), Row(other, idx[e + 1], k), Row(other, idx[e + 2], k), Row(other, idx[e + 3], k),
                conf[e] - 1f, conf[e + 1] - 1f, conf[e + 2] - 1f, conf[e + 3] - 1f);
        }
        for (; e < n; e++)
        {
            float* y = Row(other, idx[e], k);
            AddOuterProducts(a, k, y, y, y, y, conf[e] - 1f, 0f, 0f, 0f);
        }
        Combine(b, other, idx, conf, n, k, k, add: false);
        Factor(a, k, column);
        Substitute(a, b, k);
        Copy(b, x, k);
    }

    /// <summary>x_uᵀ G x_u + Σ_e (c_e (1 − s_e)² − s_e²), s_e = x_u·y_e; gx holds k floats and d holds n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double LossTerm(float* gram, float* other, int* idx, float* conf, int n, float* x, int k, float* gx, float* d)
    {
        Combine(gx, gram, null, x, k, k, k, add: false);
        double sum = Dot(x, gx, k);
        Dots(other, idx, n, x, k, d);
        for (int e = 0; e < n; e++)
        {
            float s = d[e];
            sum += conf[e] * (1f - s) * (1f - s) - s * s;
        }
        return sum;
    }

    /// <summary>|x|² of a k-vector.</summary>
    public static float SquaredNorm(float* x, int k) => Dot(x, x, k);

    /// <summary>
    /// result = [result +] Σ_e coef[e]·row_e, row_e the first k floats of row idx[e] (row e when idx is
    /// null, which makes this a dense matrix–vector product) of <paramref name="rows"/>, whose rows are
    /// <paramref name="stride"/> floats apart. Blocks of 8 and then 4
    /// vectors of the result stay in registers across all n rows; the last columns take one AXPY pass (a
    /// pass per leftover vector would gather every row again, which costs more than the AXPYs save).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine(float* result, float* rows, int* idx, float* coef, int n, int k, int stride, bool add)
    {
        int v = Vector<float>.Count;
        int b0 = 0;
        for (; b0 + 8 * v <= k; b0 += 8 * v)
        {
            float* o = result + b0;
            Vector<float> a0, a1, a2, a3, a4, a5, a6, a7;
            if (add)
            {
                (a0, a1, a2, a3) = (Load(o), Load(o + v), Load(o + 2 * v), Load(o + 3 * v));
                (a4, a5, a6, a7) = (Load(o + 4 * v), Load(o + 5 * v), Load(o + 6 * v), Load(o + 7 * v));
            }
            else
            {
                a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = Vector<float>.Zero;
            }
            for (int e = 0; e < n; e++)
            {
                float* y = rows + (long)(idx is null ? e : idx[e]) * stride + b0;
                var c = new Vector<float>(coef[e]);
                a0 = Vector.MultiplyAddEstimate(c, Load(y), a0);
                a1 = Vector.MultiplyAddEstimate(c, Load(y + v), a1);
                a2 = Vector.MultiplyAddEstimate(c, Load(y + 2 * v), a2);
                a3 = Vector.MultiplyAddEstimate(c, Load(y + 3 * v), a3);
                a4 = Vector.MultiplyAddEstimate(c, Load(y + 4 * v), a4);
                a5 = Vector.MultiplyAddEstimate(c, Load(y + 5 * v), a5);
                a6 = Vector.MultiplyAddEstimate(c, Load(y + 6 * v), a6);
                a7 = Vector.MultiplyAddEstimate(c, Load(y + 7 * v), a7);
            }
            Store(o, a0);
            Store(o + v, a1);
            Store(o + 2 * v, a2);
            Store(o + 3 * v, a3);
            Store(o + 4 * v, a4);
            Store(o + 5 * v, a5);
            Store(o + 6 * v, a6);
            Store(o + 7 * v, a7);
        }
        for (; b0 + 4 * v <= k; b0 += 4 * v)
        {
            float* o = result + b0;
            Vector<float> a0, a1, a2, a3;
            if (add)
            {
                (a0, a1, a2, a3) = (Load(o), Load(o + v), Load(o + 2 * v), Load(o + 3 * v));
            }
            else
            {
                a0 = a1 = a2 = a3 = Vector<float>.Zero;
            }
            for (int e = 0; e < n; e++)
            {
                float* y = rows + (long)(idx is null ? e : idx[e]) * stride + b0;
                var c = new Vector<float>(coef[e]);
                a0 = Vector.MultiplyAddEstimate(c, Load(y), a0);
                a1 = Vector.MultiplyAddEstimate(c, Load(y + v), a1);
                a2 = Vector.MultiplyAddEstimate(c, Load(y + 2 * v), a2);
                a3 = Vector.MultiplyAddEstimate(c, Load(y + 3 * v), a3);
            }
            Store(o, a0);
            Store(o + v, a1);
            Store(o + 2 * v, a2);
            Store(o + 3 * v, a3);
        }
        if (b0 < k)
        {
            int rest = k - b0;
            if (!add)
            {
                new Span<float>(result + b0, rest).Clear();
            }
            for (int e = 0; e < n; e++)
            {
                Axpy(coef[e], rows + (long)(idx is null ? e : idx[e]) * stride + b0, result + b0, rest);
            }
        }
    }

    /// <summary>
    /// result += Σ_e w_e·y_e over the row's n interactions, with w_e = c_e − (c_e − 1)·(y_e·v) for the
    /// residual and (c_e − 1)·(y_e·v) for a product A·v. When k is exactly 8 vectors (64 factors with
    /// 256-bit vectors) each y_e is loaded once, its dot product and its multiply-adds done in registers;
    /// otherwise the dot products go to <paramref name="d"/> first and <see cref="Combine"/> adds the rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Project(float* rows, int* idx, float* conf, int n, float* v, float* result, int k, bool residual, float* d)
    {
        if (k != 8 * Vector<float>.Count)
        {
            Dots(rows, idx, n, v, k, d);
            for (int e = 0; e < n; e++)
            {
                d[e] = residual ? conf[e] - (conf[e] - 1f) * d[e] : (conf[e] - 1f) * d[e];
            }
            Combine(result, rows, idx, d, n, k, k, add: true);
            return;
        }
        int w = Vector<float>.Count;
        var v0 = Load(v);
        var v1 = Load(v + w);
        var v2 = Load(v + 2 * w);
        var v3 = Load(v + 3 * w);
        var v4 = Load(v + 4 * w);
        var v5 = Load(v + 5 * w);
        var v6 = Load(v + 6 * w);
        var v7 = Load(v + 7 * w);
        var a0 = Load(result);
        var a1 = Load(result + w);
        var a2 = Load(result + 2 * w);
        var a3 = Load(result + 3 * w);
        var a4 = Load(result + 4 * w);
        var a5 = Load(result + 5 * w);
        var a6 = Load(result + 6 * w);
        var a7 = Load(result + 7 * w);
        for (int e = 0; e < n; e++)
        {
            float* y = rows + (long)idx[e] * k;
            var y0 = Load(y);
            var y1 = Load(y + w);
            var y2 = Load(y + 2 * w);
            var y3 = Load(y + 3 * w);
            var y4 = Load(y + 4 * w);
            var y5 = Load(y + 5 * w);
            var y6 = Load(y + 6 * w);
            var y7 = Load(y + 7 * w);
            var s0 = Vector.MultiplyAddEstimate(y0, v0, y1 * v1);
            var s1 = Vector.MultiplyAddEstimate(y2, v2, y3 * v3);
            var s2 = Vector.MultiplyAddEstimate(y4, v4, y5 * v5);
            var s3 = Vector.MultiplyAddEstimate(y6, v6, y7 * v7);
            float dot = Vector.Sum(s0 + s1 + (s2 + s3));
            float c = conf[e];
            var weight = new Vector<float>(residual ? c - (c - 1f) * dot : (c - 1f) * dot);
            a0 = Vector.MultiplyAddEstimate(weight, y0, a0);
            a1 = Vector.MultiplyAddEstimate(weight, y1, a1);
            a2 = Vector.MultiplyAddEstimate(weight, y2, a2);
            a3 = Vector.MultiplyAddEstimate(weight, y3, a3);
            a4 = Vector.MultiplyAddEstimate(weight, y4, a4);
            a5 = Vector.MultiplyAddEstimate(weight, y5, a5);
            a6 = Vector.MultiplyAddEstimate(weight, y6, a6);
            a7 = Vector.MultiplyAddEstimate(weight, y7, a7);
        }
        Store(result, a0);
        Store(result + w, a1);
        Store(result + 2 * w, a2);
        Store(result + 3 * w, a3);
        Store(result + 4 * w, a4);
        Store(result + 5 * w, a5);
        Store(result + 6 * w, a6);
        Store(result + 7 * w, a7);
    }

    /// <summary>d[e] = row_e · v for the n rows idx[e] of <paramref name="rows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(float* rows, int* idx, int n, float* v, int k, float* d)
    {
        for (int e = 0; e < n; e++)
        {
            d[e] = Dot(rows + (long)idx[e] * k, v, k);
        }
    }

    /// <summary>
    /// A = UᵀU by rows (Crout): row i of U is A[i, i..k) − Σ_{j&lt;i} U[j, i]·U[j, i..k), scaled by
    /// 1/U[i, i]. The sum is one <see cref="Combine"/> over the rows above, starting at column i rounded
    /// down to a multiple of four vectors so that whole register blocks cover the row (the columns left of
    /// i it also computes are never read; they cost less than a partial block would).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Factor(float* a, int k, float* column)
    {
        int v = Vector<float>.Count;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < i; j++)
            {
                column[j] = -a[(long)j * k + i];
            }
            int start = i / (4 * v) * (4 * v);
            float* ui = a + (long)i * k;
            Combine(ui + start, a + start, null, column, i, k - start, k, add: true);
            float d = MathF.Sqrt(ui[i]);
            ui[i] = d;
            Scale(ui + i + 1, 1f / d, k - i - 1);
        }
    }

    /// <summary>Uᵀz = b column by column (each column of Uᵀ is a row of U), then U x = z by row dot products, in place in b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Substitute(float* a, float* b, int k)
    {
        for (int j = 0; j < k; j++)
        {
            float* uj = a + (long)j * k;
            float zj = b[j] / uj[j];
            b[j] = zj;
            Axpy(-zj, uj + j + 1, b + j + 1, k - j - 1);
        }
        for (int i = k - 1; i >= 0; i--)
        {
            float* ui = a + (long)i * k;
            b[i] = (b[i] - Dot(ui + i + 1, b + i + 1, k - i - 1)) / ui[i];
        }
    }

    /// <summary>a·b over n floats, two vector accumulators so that consecutive multiply-adds do not wait on each other.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int n)
    {
        int v = Vector<float>.Count;
        var acc0 = Vector<float>.Zero;
        var acc1 = Vector<float>.Zero;
        int f = 0;
        for (; f <= n - 2 * v; f += 2 * v)
        {
            acc0 = Vector.MultiplyAddEstimate(Load(a + f), Load(b + f), acc0);
            acc1 = Vector.MultiplyAddEstimate(Load(a + f + v), Load(b + f + v), acc1);
        }
        if (f <= n - v)
        {
            acc0 = Vector.MultiplyAddEstimate(Load(a + f), Load(b + f), acc0);
            f += v;
        }
        float sum = Vector.Sum(acc0 + acc1);
        for (; f < n; f++)
        {
            sum += a[f] * b[f];
        }
        return sum;
    }

    /// <summary>y += α·x over n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float alpha, float* x, float* y, int n)
    {
        int v = Vector<float>.Count;
        var va = new Vector<float>(alpha);
        int f = 0;
        for (; f <= n - v; f += v)
        {
            Store(y + f, Vector.MultiplyAddEstimate(va, Load(x + f), Load(y + f)));
        }
        for (; f < n; f++)
        {
            y[f] += alpha * x[f];
        }
    }

    /// <summary>y = x + β·y over n floats.</summary>
    private static void Xpby(float* x, float beta, float* y, int n)
    {
        int v = Vector<float>.Count;
        var vb = new Vector<float>(beta);
        int f = 0;
        for (; f <= n - v; f += v)
        {
            Store(y + f, Vector.MultiplyAddEstimate(vb, Load(y + f), Load(x + f)));
        }
        for (; f < n; f++)
        {
            y[f] = x[f] + beta * y[f];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* p, Vector<float> value) => Unsafe.WriteUnaligned(p, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Row(float* m, int row, int k) => m + (long)row * k;

    private static void Scale(float* x, float alpha, int n)
    {
        for (int f = 0; f < n; f++)
        {
            x[f] *= alpha;
        }
    }

    private static void Copy(float* from, float* to, int n) => new Span<float>(from, n).CopyTo(new Span<float>(to, n));
}
