using GpuMF.Models;

namespace GpuMF.Als;

/// <summary>
/// ALS's fold-in: the exact confidence-weighted solution (<see cref="AlsFoldIn"/>) with the model's own α, λ and
/// confidence scaling, the same system training solves for each user; the caller's λ is not used.
/// </summary>
/// <param name="options">The options the model was trained with.</param>
internal sealed class AlsUserFoldIn(AlsOptions options) : UserFoldIn
{
    private (float[] Items, double[] Gram)? _gram;

    public override UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization)
    {
        var factors = AlsFoldIn.Solve(Gram(model), model.ItemFactors, model.Factors, rows, options);
        return new UserVector(factors, 0f, rows.Select(r => r.Item).Distinct().Order().ToArray());
    }

    public override void Prepare(FactorModel model) => Gram(model);

    /// <summary>The item Gram matrix of <paramref name="model"/>, computed on first use (a race computes it twice, harmlessly).</summary>
    private double[] Gram(FactorModel model)
    {
        if (_gram is { } cached && ReferenceEquals(cached.Items, model.ItemFactors))
        {
            return cached.Gram;
        }
        var gram = AlsFoldIn.Gram(model.ItemFactors, model.Items.Count, model.Factors);
        _gram = (model.ItemFactors, gram);
        return gram;
    }
}
