using GpuMF.Models;
using GpuMF.TopN;

namespace GpuMF.Als;

/// <summary>
/// ALS's fold-in: the exact confidence-weighted solution (<see cref="AlsFoldIn"/>) with the model's own α, λ and
/// confidence scaling, the same system training solves for each user; the caller's λ is not used.
/// </summary>
/// <param name="options">The options the model was trained with.</param>
internal sealed class AlsUserFoldIn(AlsOptions options) : UserFoldIn
{
    /// <summary>The Gram matrices of the last two factor arrays seen: the item side's for users and the user side's for items (<see cref="UserFoldIn.SolveItem"/>).</summary>
    private readonly (float[] Factors, double[] Gram)?[] _grams = new (float[], double[])?[2];

    public override UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization)
    {
        var factors = AlsFoldIn.Solve(Gram(model), model.ItemFactors, model.Factors, rows, options);
        return new UserVector(factors, 0f, rows.Select(r => r.Item).Distinct().Order().ToArray());
    }

    public override void Prepare(FactorModel model) => Gram(model);

    /// <summary>
    /// Hu, Koren and Volinsky's explanation (2008, §5): with W = (YᵀC_uY + λI)⁻¹, the score x_u·y_i is
    /// Σ_j c_uj·y_iᵀW y_j over the user's items j, each term that item's weight. The user's values are taken as 1
    /// (a model keeps which items a user had, not their values), as the console host trains them.
    /// </summary>
    public override Explanation Explain(FactorModel model, int[] seen, int item, int top)
    {
        int k = model.Factors;
        double c = options.ConfidenceOf(1f);
        var (a, _) = AlsFoldIn.NormalEquations(Gram(model), model.ItemFactors, k, seen.Select(j => (j, c)), options.Regularization);
        var v = new double[k];
        var target = model.ItemRow(item);
        for (int f = 0; f < k; f++)
        {
            v[f] = target[f];
        }
        LeastSquaresFoldIn.CholeskySolve(a, v, k);
        var reasons = seen.Select(j =>
        {
            var y = model.ItemRow(j);
            double dot = 0;
            for (int f = 0; f < k; f++)
            {
                dot += v[f] * y[f];
            }
            return ScoredItem.Of(model.Items, j, (float)(c * dot));
        }).OrderByDescending(r => r.Score).Take(top).ToArray();
        return new Explanation(reasons, Exact: true);
    }

    /// <summary>
    /// The item Gram matrix of <paramref name="model"/>, computed on first use and kept for the last two factor arrays
    /// (a model's items and, folding items in, its users), so that alternating sides does not recompute it; the entries
    /// (two references each) are read and written under a lock so that no reader sees half of one; a race computes a
    /// Gram matrix twice, harmlessly.
    /// </summary>
    private double[] Gram(FactorModel model)
    {
        lock (_grams)
        {
            foreach (var entry in _grams)
            {
                if (entry is { } cached && ReferenceEquals(cached.Factors, model.ItemFactors))
                {
                    return cached.Gram;
                }
            }
        }
        var gram = AlsFoldIn.Gram(model.ItemFactors, model.Items.Count, model.Factors);
        lock (_grams)
        {
            _grams[1] = _grams[0];
            _grams[0] = (model.ItemFactors, gram);
        }
        return gram;
    }
}
