using System.Runtime.CompilerServices;

namespace GpuMF.TopN;

/// <summary>
/// The register-blocked inner product of the CPU top-N path: a block of query rows times one packed panel
/// of <see cref="PanelVectors"/> vectors of candidates (see <see cref="PackedCandidates"/>), accumulated by
/// fused multiply-adds in ascending factor order, plus the candidates' biases, and compared with each
/// row's floor (the score that enters its heap) while still in registers, so that the caller looks at a
/// row's scores only when one of them can enter the heap. The eight-row kernel keeps
/// 8 × 3 vector accumulators in registers (24 of the 32 with AVX-512), so each loaded candidate vector
/// feeds eight multiply-adds and each broadcast query factor three; it runs at the machine's FMA peak
/// when the panel is in L1 or L2. Loops are unrolled by hand so that the accumulators stay in registers.
/// </summary>
internal static unsafe class BlockedScoreKernel
{
    /// <summary>Query rows of the wide kernel.</summary>
    public const int Rows = 8;

    /// <summary>Vectors of candidates per panel.</summary>
    public const int PanelVectors = 3;

    /// <summary>
    /// output[r·width + j] = Σ_f queries[r·k + f]·panel[f·width + j] + bias[j] for r &lt; 8 and j &lt; width,
    /// width = 3·TLanes.Width. Returns a mask with bit r set when some output of row r is ≥ floors[r].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Eight<TVector, TLanes>(float* queries, int k, float* panel, float* bias, float* output, float* floors)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int w = TLanes.Width;
        int width = PanelVectors * w;
        TVector a00 = default, a01 = default, a02 = default;
        TVector a10 = default, a11 = default, a12 = default;
        TVector a20 = default, a21 = default, a22 = default;
        TVector a30 = default, a31 = default, a32 = default;
        TVector a40 = default, a41 = default, a42 = default;
        TVector a50 = default, a51 = default, a52 = default;
        TVector a60 = default, a61 = default, a62 = default;
        TVector a70 = default, a71 = default, a72 = default;
        float* q = queries;
        for (int f = 0; f < k; f++, panel += width, q++)
        {
            var c0 = TLanes.Load(panel);
            var c1 = TLanes.Load(panel + w);
            var c2 = TLanes.Load(panel + 2 * w);
            var b = TLanes.Splat(q[0]);
            a00 = TLanes.MultiplyAdd(b, c0, a00);
            a01 = TLanes.MultiplyAdd(b, c1, a01);
            a02 = TLanes.MultiplyAdd(b, c2, a02);
            b = TLanes.Splat(q[k]);
            a10 = TLanes.MultiplyAdd(b, c0, a10);
            a11 = TLanes.MultiplyAdd(b, c1, a11);
            a12 = TLanes.MultiplyAdd(b, c2, a12);
            b = TLanes.Splat(q[2 * k]);
            a20 = TLanes.MultiplyAdd(b, c0, a20);
            a21 = TLanes.MultiplyAdd(b, c1, a21);
            a22 = TLanes.MultiplyAdd(b, c2, a22);
            b = TLanes.Splat(q[3 * k]);
            a30 = TLanes.MultiplyAdd(b, c0, a30);
            a31 = TLanes.MultiplyAdd(b, c1, a31);
            a32 = TLanes.MultiplyAdd(b, c2, a32);
            b = TLanes.Splat(q[4 * k]);
            a40 = TLanes.MultiplyAdd(b, c0, a40);
            a41 = TLanes.MultiplyAdd(b, c1, a41);
            a42 = TLanes.MultiplyAdd(b, c2, a42);
            b = TLanes.Splat(q[5 * k]);
            a50 = TLanes.MultiplyAdd(b, c0, a50);
            a51 = TLanes.MultiplyAdd(b, c1, a51);
            a52 = TLanes.MultiplyAdd(b, c2, a52);
            b = TLanes.Splat(q[6 * k]);
            a60 = TLanes.MultiplyAdd(b, c0, a60);
            a61 = TLanes.MultiplyAdd(b, c1, a61);
            a62 = TLanes.MultiplyAdd(b, c2, a62);
            b = TLanes.Splat(q[7 * k]);
            a70 = TLanes.MultiplyAdd(b, c0, a70);
            a71 = TLanes.MultiplyAdd(b, c1, a71);
            a72 = TLanes.MultiplyAdd(b, c2, a72);
        }
        var bias0 = TLanes.Load(bias);
        var bias1 = TLanes.Load(bias + w);
        var bias2 = TLanes.Load(bias + 2 * w);
        return StoreRow<TVector, TLanes>(output, w, a00, a01, a02, bias0, bias1, bias2, floors[0])
            | StoreRow<TVector, TLanes>(output + width, w, a10, a11, a12, bias0, bias1, bias2, floors[1]) << 1
            | StoreRow<TVector, TLanes>(output + 2 * width, w, a20, a21, a22, bias0, bias1, bias2, floors[2]) << 2
            | StoreRow<TVector, TLanes>(output + 3 * width, w, a30, a31, a32, bias0, bias1, bias2, floors[3]) << 3
            | StoreRow<TVector, TLanes>(output + 4 * width, w, a40, a41, a42, bias0, bias1, bias2, floors[4]) << 4
            | StoreRow<TVector, TLanes>(output + 5 * width, w, a50, a51, a52, bias0, bias1, bias2, floors[5]) << 5
            | StoreRow<TVector, TLanes>(output + 6 * width, w, a60, a61, a62, bias0, bias1, bias2, floors[6]) << 6
            | StoreRow<TVector, TLanes>(output + 7 * width, w, a70, a71, a72, bias0, bias1, bias2, floors[7]) << 7;
    }

    /// <summary>The one-row form of <see cref="Eight{TVector, TLanes}"/>, for the rows left over by blocks of eight; returns 1 when some output is ≥ <paramref name="floor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int One<TVector, TLanes>(float* query, int k, float* panel, float* bias, float* output, float floor)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int w = TLanes.Width;
        int width = PanelVectors * w;
        TVector a0 = default, a1 = default, a2 = default;
        for (int f = 0; f < k; f++, panel += width)
        {
            var b = TLanes.Splat(query[f]);
            a0 = TLanes.MultiplyAdd(b, TLanes.Load(panel), a0);
            a1 = TLanes.MultiplyAdd(b, TLanes.Load(panel + w), a1);
            a2 = TLanes.MultiplyAdd(b, TLanes.Load(panel + 2 * w), a2);
        }
        return StoreRow<TVector, TLanes>(output, w, a0, a1, a2, TLanes.Load(bias), TLanes.Load(bias + w), TLanes.Load(bias + 2 * w), floor);
    }

    /// <summary>Stores one row's three vectors plus biases; 1 when one of them reaches <paramref name="floor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StoreRow<TVector, TLanes>(float* output, int w, TVector v0, TVector v1, TVector v2, TVector b0, TVector b1, TVector b2, float floor)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        v0 = TLanes.Add(v0, b0);
        v1 = TLanes.Add(v1, b1);
        v2 = TLanes.Add(v2, b2);
        TLanes.Store(v0, output);
        TLanes.Store(v1, output + w);
        TLanes.Store(v2, output + 2 * w);
        return TLanes.AnyAtLeast(v0, v1, v2, floor) ? 1 : 0;
    }
}
