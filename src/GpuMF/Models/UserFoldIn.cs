namespace GpuMF.Models;

/// <summary>
/// How a model computes the factors of a new or changed user from that user's interactions, against its fixed
/// item factors (<see cref="FactorModel.RecalculateUser"/>): each model family brings its own rule, and the
/// least-squares fit (<see cref="LeastSquaresFoldIn"/>) is the default.
/// </summary>
internal abstract class UserFoldIn
{
    /// <summary>The user's vector.</summary>
    /// <param name="model">The model whose item factors stay fixed.</param>
    /// <param name="rows">The user's (dense item, value) pairs.</param>
    /// <param name="regularization">λ of the rules that take one from the caller, &gt; 0.</param>
    public abstract UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization);

    /// <summary>Work done once for <paramref name="model"/> before many users are folded in in parallel; none by default.</summary>
    public virtual void Prepare(FactorModel model)
    {
    }
}
