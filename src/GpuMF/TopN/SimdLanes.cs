using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuMF.TopN;

/// <summary>
/// The few vector operations the blocked score kernel needs, over one vector width. The kernel is generic
/// over an implementation so that the JIT compiles one specialised copy per width, with the accumulators in
/// registers; <see cref="SimdWidth"/> picks the widest width the machine accelerates.
/// </summary>
/// <typeparam name="TVector">The vector type (Vector512, Vector256 or Vector128 of float).</typeparam>
internal interface ISimdLanes<TVector> where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Width { get; }

    static abstract unsafe TVector Load(float* source);

    static abstract unsafe void Store(TVector value, float* destination);

    static abstract TVector Splat(float value);

    /// <summary>a·b + c with one rounding.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>Bit l set when lane l of <paramref name="value"/> is ≥ <paramref name="floor"/> (false for NaN).</summary>
    static abstract ulong AtLeast(TVector value, float floor);

    /// <summary>True when any lane of the three vectors is ≥ <paramref name="floor"/> (false for NaN).</summary>
    static abstract bool AnyAtLeast(TVector a, TVector b, TVector c, float floor);
}

/// <summary>512-bit lanes (AVX-512).</summary>
internal readonly struct Lanes512 : ISimdLanes<Vector512<float>>
{
    public static int Width => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector512<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(Vector512<float> value, float floor) =>
        Vector512.GreaterThanOrEqual(value, Vector512.Create(floor)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAtLeast(Vector512<float> a, Vector512<float> b, Vector512<float> c, float floor)
    {
        var f = Vector512.Create(floor);
        return (Vector512.GreaterThanOrEqual(a, f) | Vector512.GreaterThanOrEqual(b, f) | Vector512.GreaterThanOrEqual(c, f)) != Vector512<float>.Zero;
    }
}

/// <summary>256-bit lanes (AVX2).</summary>
internal readonly struct Lanes256 : ISimdLanes<Vector256<float>>
{
    public static int Width => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(Vector256<float> value, float floor) =>
        Vector256.GreaterThanOrEqual(value, Vector256.Create(floor)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAtLeast(Vector256<float> a, Vector256<float> b, Vector256<float> c, float floor)
    {
        var f = Vector256.Create(floor);
        return (Vector256.GreaterThanOrEqual(a, f) | Vector256.GreaterThanOrEqual(b, f) | Vector256.GreaterThanOrEqual(c, f)) != Vector256<float>.Zero;
    }
}

/// <summary>128-bit lanes (SSE, NEON), and the portable fallback.</summary>
internal readonly struct Lanes128 : ISimdLanes<Vector128<float>>
{
    public static int Width => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<float> Load(float* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector128<float> value, float* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Splat(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(Vector128<float> value, float floor) =>
        Vector128.GreaterThanOrEqual(value, Vector128.Create(floor)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAtLeast(Vector128<float> a, Vector128<float> b, Vector128<float> c, float floor)
    {
        var f = Vector128.Create(floor);
        return (Vector128.GreaterThanOrEqual(a, f) | Vector128.GreaterThanOrEqual(b, f) | Vector128.GreaterThanOrEqual(c, f)) != Vector128<float>.Zero;
    }
}

/// <summary>The vector width the CPU top-N path runs at on this machine.</summary>
internal static class SimdWidth
{
    /// <summary>Floats per vector: 16 with AVX-512, 8 with AVX2, else 4.</summary>
    public static int Lanes { get; } =
        Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;
}
