using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// How a model computes the factors of a new or changed user from that user's interactions, against its fixed
/// item factors (<see cref="FactorModel.RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/>): each model family brings its own rule, and the
/// least-squares fit (<see cref="LeastSquaresFoldIn"/>) is the default.
/// </summary>
internal abstract class UserFoldIn
{
    /// <summary>The user's vector.</summary>
    /// <param name="model">The model whose item factors stay fixed.</param>
    /// <param name="rows">The user's (dense item, value) pairs.</param>
    /// <param name="regularization">λ of the rules that take one from the caller, &gt; 0.</param>
    public abstract UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization);

    /// <summary>
    /// Why <paramref name="model"/> scores dense item <paramref name="item"/> for a user who has the dense items
    /// <paramref name="seen"/>: by default the user's items most similar to it by cosine (not exact).
    /// </summary>
    public virtual Explanation Explain(FactorModel model, int[] seen, int item, int top)
    {
        var normalized = model.NormalizedItems;
        int k = model.Factors;
        var reasons = seen
            .Select(j => ScoredItem.Of(model.Items, j, System.Numerics.Tensors.TensorPrimitives.Dot(normalized.AsSpan(item * k, k), normalized.AsSpan(j * k, k))))
            .OrderByDescending(r => r.Score)
            .Take(top)
            .ToArray();
        return new Explanation(reasons, Exact: false);
    }

    /// <summary>
    /// An item's vector from its (dense user, value) pairs against the fixed user factors: by default the user rule
    /// applied to <paramref name="transposed"/> (the model with users and items swapped), which is the item side of
    /// training for the models whose loss treats users and items alike (SVD, ALS, least squares).
    /// </summary>
    /// <param name="model">The model whose user factors stay fixed.</param>
    /// <param name="transposed">The same model with users and items swapped (<see cref="ItemFoldIns"/> builds it once per batch).</param>
    /// <param name="rows">The item's (dense user, value) pairs.</param>
    /// <param name="regularization">λ of the rules that take one from the caller, &gt; 0.</param>
    public virtual ItemVector SolveItem(FactorModel model, FactorModel transposed, IReadOnlyList<(int User, float Value)> rows, float regularization)
    {
        var vector = Solve(transposed, rows, regularization);
        return new ItemVector(vector.Factors, vector.Bias, vector.SeenItems);
    }

    /// <summary>Work done once for <paramref name="model"/> before many users are folded in in parallel; none by default.</summary>
    public virtual void Prepare(FactorModel model)
    {
    }
}
