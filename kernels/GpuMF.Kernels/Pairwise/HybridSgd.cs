using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// One lane's share (factors lane, lane + W, …) of the hybrid step (Kula 2015): an entity's vector composed from its
/// feature rows, and an ascent direction scattered back to every row in proportion to the row's weight. Writes go
/// through atomic adds, so that warps updating the same feature row (a genre shared by many items) lose no update;
/// within a warp each factor belongs to one lane, which reads back what it wrote.
/// </summary>
public static class HybridSgd
{
    /// <summary>
    /// target[at + f] = Σ weight · table[column·k + f] over <paramref name="row"/>'s entries of <paramref name="side"/>,
    /// for the calling lane's factors f (zero for a row without entries).
    /// </summary>
    public static void Compose(HybridSide side, ArrayView<float> table, int row, ArrayView<float> target, long at, int k)
    {
        int start = side.Ptr[row];
        int end = side.Ptr[row + 1];
        for (int f = Warp.LaneIdx; f < k; f += Warp.WarpSize)
        {
            float sum = 0f;
            for (int n = start; n < end; n++)
            {
                sum += side.Weights[n] * table[(long)side.Columns[n] * k + f];
            }
            target[at + f] = sum;
        }
    }

    /// <summary>Σ weight · biases[column] over <paramref name="row"/>'s entries: the composed item bias.</summary>
    public static float ComposeBias(HybridSide side, ArrayView<float> biases, int row)
    {
        float sum = 0f;
        for (int n = side.Ptr[row]; n < side.Ptr[row + 1]; n++)
        {
            sum += side.Weights[n] * biases[side.Columns[n]];
        }
        return sum;
    }

    /// <summary>
    /// For every entry (c, w) of <paramref name="row"/>: the calling lane's factors of table row c take the ascent
    /// direction d = w·<paramref name="scale"/>·direction[at + f] − λ·e, by η·d (plain SGD) or η/√G·d with G += d²
    /// (adagrad, <paramref name="adagrad"/> ≠ 0). With one entry of weight 1 this is <see cref="PairwiseSgd.UpdateFactors"/>'s step.
    /// </summary>
    public static void Ascend(HybridSide side, int row, ArrayView<float> table, ArrayView<float> sums, ArrayView<float> direction, long at, int k, float scale, float lr, float reg, int adagrad)
    {
        int start = side.Ptr[row];
        int end = side.Ptr[row + 1];
        for (int n = start; n < end; n++)
        {
            float c = side.Weights[n] * scale;
            long e = (long)side.Columns[n] * k;
            for (int f = Warp.LaneIdx; f < k; f += Warp.WarpSize)
            {
                float value = table[e + f];
                float d = c * direction[at + f] - reg * value;
                if (adagrad != 0)
                {
                    float g = sums[e + f];
                    Atomic.Add(ref table[e + f], lr / MathF.Sqrt(g) * d);
                    Atomic.Add(ref sums[e + f], d * d);
                }
                else
                {
                    Atomic.Add(ref table[e + f], lr * d);
                }
            }
        }
    }

    /// <summary>The bias part (call from one lane only): every entry (c, w) of <paramref name="row"/> moves biases[c] along w·<paramref name="scale"/> − λ·b, as <see cref="Ascend"/> does.</summary>
    public static void AscendBias(HybridSide side, int row, ArrayView<float> biases, ArrayView<float> sums, float scale, float lr, float reg, int adagrad)
    {
        for (int n = side.Ptr[row]; n < side.Ptr[row + 1]; n++)
        {
            int c = side.Columns[n];
            float b = biases[c];
            float d = side.Weights[n] * scale - reg * b;
            if (adagrad != 0)
            {
                float g = sums[c];
                Atomic.Add(ref biases[c], lr / MathF.Sqrt(g) * d);
                Atomic.Add(ref sums[c], d * d);
            }
            else
            {
                Atomic.Add(ref biases[c], lr * d);
            }
        }
    }
}
