using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// Eight floats one thread keeps in registers: a row of its 8 × 8 block of scores, or the eight query
/// (or candidate) factors it multiplies at one depth. Every lane is a field and every operation is written
/// out lane by lane, because ILGPU (at its default optimisation level) neither unrolls loops nor keeps an
/// indexed array in registers.
/// </summary>
public readonly struct RegisterRow
{
    /// <summary>Lane 0.</summary>
    public readonly float V0;

    /// <summary>Lane 1.</summary>
    public readonly float V1;

    /// <summary>Lane 2.</summary>
    public readonly float V2;

    /// <summary>Lane 3.</summary>
    public readonly float V3;

    /// <summary>Lane 4.</summary>
    public readonly float V4;

    /// <summary>Lane 5.</summary>
    public readonly float V5;

    /// <summary>Lane 6.</summary>
    public readonly float V6;

    /// <summary>Lane 7.</summary>
    public readonly float V7;

    /// <summary>The row (v0, …, v7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRow(float v0, float v1, float v2, float v3, float v4, float v5, float v6, float v7)
    {
        V0 = v0;
        V1 = v1;
        V2 = v2;
        V3 = v3;
        V4 = v4;
        V5 = v5;
        V6 = v6;
        V7 = v7;
    }

    /// <summary>Lane j is <c>view[at + j·step]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RegisterRow Strided(ArrayView<float> view, int at, int step) => new(
        view[at], view[at + step], view[at + 2 * step], view[at + 3 * step],
        view[at + 4 * step], view[at + 5 * step], view[at + 6 * step], view[at + 7 * step]);

    /// <summary>Lane j is this lane plus <paramref name="a"/>·b_j: a score's terms added in ascending factor order, as every backend adds them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRow MultiplyAdd(float a, RegisterRow b) => new(
        V0 + a * b.V0, V1 + a * b.V1, V2 + a * b.V2, V3 + a * b.V3,
        V4 + a * b.V4, V5 + a * b.V5, V6 + a * b.V6, V7 + a * b.V7);

    /// <summary>Lane j is this lane plus b_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRow Plus(RegisterRow b) => new(V0 + b.V0, V1 + b.V1, V2 + b.V2, V3 + b.V3, V4 + b.V4, V5 + b.V5, V6 + b.V6, V7 + b.V7);
}

/// <summary>
/// The 8 × 8 block of scores one thread accumulates in registers: row i for its i-th query row, lane j
/// for its j-th candidate (<see cref="FusedTopNKernels"/>).
/// </summary>
public readonly struct RegisterTile
{
    /// <summary>Row 0.</summary>
    public readonly RegisterRow R0;

    /// <summary>Row 1.</summary>
    public readonly RegisterRow R1;

    /// <summary>Row 2.</summary>
    public readonly RegisterRow R2;

    /// <summary>Row 3.</summary>
    public readonly RegisterRow R3;

    /// <summary>Row 4.</summary>
    public readonly RegisterRow R4;

    /// <summary>Row 5.</summary>
    public readonly RegisterRow R5;

    /// <summary>Row 6.</summary>
    public readonly RegisterRow R6;

    /// <summary>Row 7.</summary>
    public readonly RegisterRow R7;

    /// <summary>The block with rows r0, …, r7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterTile(RegisterRow r0, RegisterRow r1, RegisterRow r2, RegisterRow r3, RegisterRow r4, RegisterRow r5, RegisterRow r6, RegisterRow r7)
    {
        R0 = r0;
        R1 = r1;
        R2 = r2;
        R3 = r3;
        R4 = r4;
        R5 = r5;
        R6 = r6;
        R7 = r7;
    }

    /// <summary>One depth of the product: cell (i, j) plus a_i·b_j, 64 multiply-adds from 16 operands.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterTile MultiplyAdd(RegisterRow a, RegisterRow b) => new(
        R0.MultiplyAdd(a.V0, b), R1.MultiplyAdd(a.V1, b), R2.MultiplyAdd(a.V2, b), R3.MultiplyAdd(a.V3, b),
        R4.MultiplyAdd(a.V4, b), R5.MultiplyAdd(a.V5, b), R6.MultiplyAdd(a.V6, b), R7.MultiplyAdd(a.V7, b));

    /// <summary>Cell (i, j) plus b_j: the candidates' biases added to every row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterTile PlusEachRow(RegisterRow b) => new(
        R0.Plus(b), R1.Plus(b), R2.Plus(b), R3.Plus(b), R4.Plus(b), R5.Plus(b), R6.Plus(b), R7.Plus(b));
}
