namespace GpuMF.Models;

/// <summary>
/// The squared-gradient sums of adagrad (each starts at 1 and only grows), laid out as the parameters
/// they scale: what a BPR or WARP checkpoint needs besides the parameters to continue exactly.
/// </summary>
/// <param name="Users">One sum per user factor, row-major as <see cref="FactorModel.UserFactors"/>.</param>
/// <param name="Items">One sum per item factor, row-major as <see cref="FactorModel.ItemFactors"/>.</param>
/// <param name="ItemBiases">One sum per item bias.</param>
internal sealed record AdagradSums(float[] Users, float[] Items, float[] ItemBiases);
