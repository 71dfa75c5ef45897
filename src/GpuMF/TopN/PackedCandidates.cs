using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GpuMF.TopN;

/// <summary>
/// Candidate rows (item factors, or normalised item or user factors) repacked for
/// <see cref="BlockedScoreKernel"/>: panels of <see cref="Width"/> candidates stored factor-major, so that
/// factor f of a whole panel is three contiguous vectors, 64-byte aligned, in pinned memory. Candidates an
/// allow-list rules out are left out of the panels altogether (<see cref="Map"/> says which candidate each
/// packed column is). The rest are packed likeliest first: in descending order of ‖c‖·s + b, s the typical
/// query norm, the score a query of typical length aligned with c would give it. The rows' heaps then fill
/// with high scores early, their floors rise fast and few later scores reach them, which is what makes
/// selection cheap. The order changes no result: a heap keeps the same pairs whatever order they arrive in.
/// Built once per model and catalogue, then shared by every scoring call.
/// </summary>
internal sealed unsafe class PackedCandidates
{
    private const int Alignment = 64;
    private readonly float[] _panels;
    private readonly float[] _bias;
    private readonly int _offset;
    private readonly int _biasOffset;

    private PackedCandidates(int count, int factors, int[] map, float[] panels, int offset, float[] bias, int biasOffset)
    {
        Count = count;
        Factors = factors;
        Map = map;
        _panels = panels;
        _offset = offset;
        _bias = bias;
        _biasOffset = biasOffset;
    }

    /// <summary>Candidates per panel: <see cref="BlockedScoreKernel.PanelVectors"/> vectors.</summary>
    public static int Width => BlockedScoreKernel.PanelVectors * SimdWidth.Lanes;

    /// <summary>Candidates packed.</summary>
    public int Count { get; }

    /// <summary>Factors per candidate.</summary>
    public int Factors { get; }

    /// <summary>Panels, the last one padded with zero factors.</summary>
    public int Panels => (Count + Width - 1) / Width;

    /// <summary>Packed column → candidate index.</summary>
    public int[] Map { get; }

    /// <summary>Panel <paramref name="p"/>: Factors × Width floats, factor-major.</summary>
    public float* Panel(int p) => (float*)Unsafe.AsPointer(ref _panels[_offset]) + (long)p * Factors * Width;

    /// <summary>The biases of panel <paramref name="p"/>'s candidates (zero where there is none; NaN in the padding, so that padded columns never reach a heap).</summary>
    public float* Bias(int p) => (float*)Unsafe.AsPointer(ref _bias[_biasOffset]) + (long)p * Width;

    /// <summary>Packs rows 0..<paramref name="count"/>-1 of the row-major <paramref name="rows"/>.</summary>
    /// <param name="rows">Candidate factors, row-major, <paramref name="factors"/> columns.</param>
    /// <param name="count">Candidate rows.</param>
    /// <param name="factors">Factors per row.</param>
    /// <param name="bias">Per-candidate bias, or null.</param>
    /// <param name="allowed">Which candidates may be recommended, or null for all.</param>
    /// <param name="queryNorm">The typical length of the query rows (<see cref="RootMeanSquareNorm"/>), ≥ 0; it orders the candidates only.</param>
    public static PackedCandidates Create(float[] rows, int count, int factors, float[]? bias, bool[]? allowed, float queryNorm)
    {
        var map = allowed is null ? Enumerable.Range(0, count).ToArray() : Enumerable.Range(0, count).Where(i => allowed[i]).ToArray();
        var likelihood = new float[count];
        Parallel.For(0, map.Length, c =>
        {
            int i = map[c];
            likelihood[i] = queryNorm * TensorPrimitives.Norm(rows.AsSpan(i * factors, factors)) + (bias?[i] ?? 0f);
        });
        Array.Sort(map, (a, b) => likelihood[a] != likelihood[b] ? likelihood[b].CompareTo(likelihood[a]) : a.CompareTo(b));
        int packed = map.Length;
        int width = Width;
        int panels = (packed + width - 1) / width;
        // Pinned so that the kernels can hold raw pointers; the offset aligns the first panel to a cache line.
        var data = GC.AllocateArray<float>(checked(panels * factors * width + Alignment / sizeof(float)), pinned: true);
        var biasData = GC.AllocateArray<float>(panels * width + Alignment / sizeof(float), pinned: true);
        int offset = AlignedOffset(data);
        int biasOffset = AlignedOffset(biasData);
        biasData.AsSpan(biasOffset + packed).Fill(float.NaN);
        Parallel.For(0, panels, p =>
        {
            var panel = data.AsSpan(offset + p * factors * width, factors * width);
            for (int j = 0; j < width; j++)
            {
                int column = p * width + j;
                if (column >= packed)
                {
                    break;
                }
                int candidate = map[column];
                var row = rows.AsSpan(candidate * factors, factors);
                for (int f = 0; f < factors; f++)
                {
                    panel[f * width + j] = row[f];
                }
                if (bias is not null)
                {
                    biasData[biasOffset + column] = bias[candidate];
                }
            }
        });
        return new PackedCandidates(packed, factors, map, data, offset, biasData, biasOffset);
    }

    /// <summary>√(mean over rows of ‖row‖²): the typical length of <paramref name="count"/> rows of <paramref name="factors"/>.</summary>
    public static float RootMeanSquareNorm(float[] rows, int count, int factors)
    {
        if (count == 0)
        {
            return 0f;
        }
        double sum = TensorPrimitives.SumOfSquares(rows.AsSpan(0, count * factors));
        return (float)Math.Sqrt(sum / count);
    }

    private static int AlignedOffset(float[] array)
    {
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return (int)((Alignment - address % Alignment) % Alignment / sizeof(float));
    }
}
