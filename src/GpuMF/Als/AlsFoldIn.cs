using GpuMF.Models;

namespace GpuMF.Als;

/// <summary>
/// The exact implicit-ALS solution of one row against fixed factors of the other side, in float64:
/// x = (OᵀO + λI + Σ_e (c_e − 1) o_e o_eᵀ)⁻¹ Σ_e c_e o_e with c_e the confidence of value r_e (Hu, Koren,
/// Volinsky 2008, eq. 4). Used to fold in new or changed users or items without retraining, and as the
/// reference the float32 solvers are tested against.
/// </summary>
internal static class AlsFoldIn
{
    /// <summary>OᵀO (without λ) of the row-major rows × k matrix <paramref name="factors"/>, in float64.</summary>
    public static double[] Gram(float[] factors, int rows, int k)
    {
        var g = new double[k * k];
        var row = new double[k];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < k; f++)
            {
                row[f] = factors[(long)r * k + f];
            }
            for (int a = 0; a < k; a++)
            {
                double ya = row[a];
                for (int b = 0; b <= a; b++)
                {
                    g[a * k + b] += ya * row[b];
                }
            }
        }
        return g;
    }

    /// <summary>
    /// Solves one row. <paramref name="entries"/> are (row index into <paramref name="other"/>, value &gt; 0);
    /// a repeated index has its values summed. <paramref name="gram"/> is <see cref="Gram"/> of <paramref name="other"/>
    /// (lower triangle used).
    /// </summary>
    /// <exception cref="ArgumentException">A value is not positive and finite.</exception>
    public static float[] Solve(double[] gram, float[] other, int k, IEnumerable<(int Index, float Value)> entries, AlsOptions options)
    {
        var merged = new SortedDictionary<int, double>();
        foreach (var (index, value) in entries)
        {
            if (!(value > 0) || !float.IsFinite(value))
            {
                throw new ArgumentException($"ALS needs positive interaction values; got {value} for index {index}.", nameof(entries));
            }
            merged[index] = merged.GetValueOrDefault(index) + value;
        }
        var (a, b) = NormalEquations(gram, other, k, merged.Select(e => (e.Key, (double)options.ConfidenceOf((float)e.Value))), options.Regularization);
        LeastSquaresFoldIn.CholeskySolve(a, b, k);
        var x = new float[k];
        for (int f = 0; f < k; f++)
        {
            x[f] = (float)b[f];
        }
        return x;
    }

    /// <summary>
    /// One row's normal equations A x = b: A = OᵀO + λI + Σ_e (c_e − 1) o_e o_eᵀ (lower triangle filled) and
    /// b = Σ_e c_e o_e, over the (row index into <paramref name="other"/>, confidence) pairs <paramref name="entries"/>.
    /// </summary>
    public static (double[] A, double[] B) NormalEquations(double[] gram, float[] other, int k, IEnumerable<(int Index, double Confidence)> entries, float regularization)
    {
        var a = new double[k * k];
        var b = new double[k];
        for (int r = 0; r < k; r++)
        {
            for (int c = 0; c <= r; c++)
            {
                a[r * k + c] = gram[r * k + c];
            }
            a[r * k + r] += regularization;
        }
        var y = new double[k];
        foreach (var (index, conf) in entries)
        {
            for (int f = 0; f < k; f++)
            {
                y[f] = other[(long)index * k + f];
            }
            for (int r = 0; r < k; r++)
            {
                b[r] += conf * y[r];
                double s = (conf - 1) * y[r];
                for (int c = 0; c <= r; c++)
                {
                    a[r * k + c] += s * y[c];
                }
            }
        }
        return (a, b);
    }
}
