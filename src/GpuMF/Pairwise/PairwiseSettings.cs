using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>The options of BPR or WARP in the one shape the shared training loop and the engines read.</summary>
internal sealed record PairwiseSettings(
    ModelKind Kind,
    int Factors,
    int Epochs,
    float LearningRate,
    LearningRateSchedule Schedule,
    float LearningRateDecay,
    float Regularization,
    bool ItemBias,
    bool RejectObserved,
    int MaxSampled,
    float InitStdDev,
    ulong Seed,
    string OptionsJson)
{
    public bool Adagrad => Schedule == LearningRateSchedule.Adagrad;
}
