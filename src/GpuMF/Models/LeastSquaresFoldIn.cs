namespace GpuMF.Models;

/// <summary>
/// Least-squares fold-in of one user against fixed item factors: minimises
/// Σ_i (r_ui − μ − b_i − [b_u] − p_u·q_i)² + λ(|p_u|² + b_u²), solved exactly by Cholesky in float64.
/// The bias term is solved for only when the model has user biases (SVD).
/// </summary>
internal sealed class LeastSquaresFoldIn : UserFoldIn
{
    /// <summary>The one instance: the rule holds no state.</summary>
    public static LeastSquaresFoldIn Instance { get; } = new();

    public override UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization) =>
        Solve(model, rows, regularization, regularization);

    /// <summary>The fit with λ <paramref name="factorRegularization"/> on p_u and <paramref name="biasRegularization"/> on b_u.</summary>
    public static UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, double factorRegularization, double biasRegularization)
    {
        int k = model.Factors;
        bool bias = model.UserBias is not null;
        int n = k + (bias ? 1 : 0);
        var a = new double[n * n];
        var b = new double[n];
        var x = new double[n];
        for (int d = 0; d < n; d++)
        {
            a[d * n + d] = d < k ? factorRegularization : biasRegularization;
        }
        foreach (var (item, value) in rows)
        {
            var q = model.ItemRow(item);
            for (int f = 0; f < k; f++)
            {
                x[f] = q[f];
            }
            if (bias)
            {
                x[k] = 1;
            }
            double target = value - model.GlobalMean - (model.Kind == ModelKind.Svd ? model.ItemBias?[item] ?? 0f : 0f);
            for (int r = 0; r < n; r++)
            {
                b[r] += x[r] * target;
                for (int c = 0; c <= r; c++)
                {
                    a[r * n + c] += x[r] * x[c];
                }
            }
        }
        CholeskySolve(a, b, n);
        var factors = new float[k];
        for (int f = 0; f < k; f++)
        {
            factors[f] = (float)b[f];
        }
        var seen = rows.Select(r => r.Item).Distinct().OrderBy(i => i).ToArray();
        return new UserVector(factors, bias ? (float)b[k] : 0f, seen);
    }

    /// <summary>Solves A x = b in place (b becomes x) for symmetric positive definite A, lower triangle used.</summary>
    public static void CholeskySolve(double[] a, double[] b, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int p = 0; p < j; p++)
            {
                d -= a[j * n + p] * a[j * n + p];
            }
            if (d <= 0)
            {
                throw new InvalidOperationException("The fold-in system is not positive definite; use a positive regularization.");
            }
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int r = j + 1; r < n; r++)
            {
                double s = a[r * n + j];
                for (int p = 0; p < j; p++)
                {
                    s -= a[r * n + p] * a[j * n + p];
                }
                a[r * n + j] = s / d;
            }
        }
        for (int r = 0; r < n; r++)
        {
            double s = b[r];
            for (int p = 0; p < r; p++)
            {
                s -= a[r * n + p] * b[p];
            }
            b[r] = s / a[r * n + r];
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int p = r + 1; p < n; p++)
            {
                s -= a[p * n + r] * b[p];
            }
            b[r] = s / a[r * n + r];
        }
    }
}
