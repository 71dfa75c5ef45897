using GpuMF.Models;

namespace GpuMF.Svd;

/// <summary>
/// SVD's fold-in by its own loss: the exact minimiser of the training objective restricted to one user, the item
/// factors and biases fixed. Training's SGD applies the L2 weights λ at every rating it visits, so over an epoch a
/// user's row is penalised λ·n_u|p_u|² (n_u its ratings): the fit uses those weights, not the caller's λ.
/// </summary>
/// <param name="options">The model's options.</param>
internal sealed class SvdUserFoldIn(SvdOptions options) : UserFoldIn
{
    public override UserVector Solve(FactorModel model, IReadOnlyList<(int Item, float Value)> rows, float regularization)
    {
        double n = Math.Max(1, rows.Count);
        return LeastSquaresFoldIn.Solve(model, rows, options.Regularization * n, options.BiasRegularization * n);
    }
}
