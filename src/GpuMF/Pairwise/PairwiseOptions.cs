using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>What the options of BPR and WARP share: the epochs, the step size and its schedule, the L2 weight and the item bias, with their ranges.</summary>
public abstract record PairwiseOptions : ModelOptions
{
    /// <summary>Sets the family's defaults.</summary>
    private protected PairwiseOptions(int epochs, float learningRate, float regularization)
        : base(0.01f)
    {
        Epochs = epochs;
        LearningRate = learningRate;
        Regularization = regularization;
    }

    /// <summary>Passes over the observed pairs, 1..10000. Default: BPR 20, WARP 25.</summary>
    public int Epochs { get; init; }

    /// <summary>Initial step size η, (0, 1]. Default: BPR 0.1, WARP 0.025 (half LightFM's).</summary>
    public float LearningRate { get; init; }

    /// <summary>How the step size evolves. Default <see cref="LearningRateSchedule.Adagrad"/> (LightFM's).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Adagrad;

    /// <summary>Multiplier d applied to η after each epoch, (0, 1]. Default 1 (no decay).</summary>
    public float LearningRateDecay { get; init; } = 1f;

    /// <summary>L2 weight λ on the factors and item biases an update touches, ≥ 0. Default: BPR 0.01, WARP 0.</summary>
    public float Regularization { get; init; }

    /// <summary>Learn an item bias b_i (as implicit's BPR and LightFM do). Default true.</summary>
    public bool ItemBias { get; init; } = true;

    /// <summary>Throws when an option lies outside its range; the message names it.</summary>
    public virtual void Validate()
    {
        ValidateShared();
        OptionRange.Require(Epochs is >= 1 and <= 10000, nameof(Epochs), Epochs, "1..10000");
        OptionRange.Require(LearningRate is > 0 and <= 1, nameof(LearningRate), LearningRate, "(0, 1]");
        OptionRange.Require(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "ConstantWithDecay or Adagrad");
        OptionRange.Require(LearningRateDecay is > 0 and <= 1, nameof(LearningRateDecay), LearningRateDecay, "(0, 1]");
        OptionRange.Require(Regularization >= 0 && float.IsFinite(Regularization), nameof(Regularization), Regularization, "≥ 0");
    }

    /// <summary>The options in the one shape the training loop and the engines read.</summary>
    internal abstract PairwiseSettings ToSettings();
}
