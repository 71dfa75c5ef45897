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

    /// <summary>Throws when one of the options BPR and WARP share lies outside its range (the same for both); the message names it.</summary>
    public static void RequireShared(int epochs, float learningRate, LearningRateSchedule schedule, float learningRateDecay, float regularization)
    {
        OptionRange.Require(epochs is >= 1 and <= 10000, nameof(Epochs), epochs, "1..10000");
        OptionRange.Require(learningRate is > 0 and <= 1, nameof(LearningRate), learningRate, "(0, 1]");
        OptionRange.Require(Enum.IsDefined(schedule), nameof(Schedule), schedule, "ConstantWithDecay or Adagrad");
        OptionRange.Require(learningRateDecay is > 0 and <= 1, nameof(LearningRateDecay), learningRateDecay, "(0, 1]");
        OptionRange.Require(regularization >= 0 && float.IsFinite(regularization), nameof(Regularization), regularization, "≥ 0");
    }
}
