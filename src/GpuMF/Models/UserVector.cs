namespace GpuMF.Models;

/// <summary>A user's factors computed outside training (fold-in), with the items to leave out of recommendations.</summary>
/// <param name="Factors">The user's latent factors (length = model factors).</param>
/// <param name="Bias">The user's bias (SVD), else 0.</param>
/// <param name="SeenItems">Dense item indices the user already has, ascending.</param>
public sealed record UserVector(float[] Factors, float Bias, int[] SeenItems);
