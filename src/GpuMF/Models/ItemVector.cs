namespace GpuMF.Models;

/// <summary>
/// The factors of a new or changed item computed from its interactions against the model's fixed user factors
/// (<c>model.RecalculateItem</c>, <see cref="ItemFoldIns"/>), not added to the model.
/// </summary>
/// <param name="Factors">The item's factors, the model's <see cref="FactorModel.Factors"/> of them.</param>
/// <param name="Bias">The item's bias for the models that have item biases (SVD; BPR and WARP with item biases), else 0.</param>
/// <param name="Users">The dense indices of the model's users it was folded in from, ascending.</param>
public sealed record ItemVector(float[] Factors, float Bias, int[] Users);
