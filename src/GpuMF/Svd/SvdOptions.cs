using System.Text.Json;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// Options of biased matrix factorisation by SGD: r̂ = μ + b_u + b_i + p_u·q_i, minimising squared error
/// plus L2 penalties (Koren, Bell, Volinsky, "Matrix factorization techniques for recommender systems",
/// IEEE Computer 2009). Every default lives in <see cref="Defaults"/>.
/// </summary>
public sealed record SvdOptions : ModelOptions
{
    /// <summary>Options at their defaults.</summary>
    public SvdOptions()
        : base(0.02f)
    {
    }

    /// <summary>The defaults, chosen on a validation split carved from the ML-1M training split.</summary>
    public static SvdOptions Defaults { get; } = new();

    /// <summary>Passes over the ratings, 1..10000. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Initial step size η, (0, 1]. Default 0.03.</summary>
    public float LearningRate { get; init; } = 0.03f;

    /// <summary>Step size multiplier applied after each epoch, (0, 1]. Default 0.88.</summary>
    public float LearningRateDecay { get; init; } = 0.88f;

    /// <summary>L2 weight λ on p_u and q_i, ≥ 0. Default 0.04.</summary>
    public float Regularization { get; init; } = 0.04f;

    /// <summary>L2 weight on b_u and b_i, ≥ 0. Default 0.01.</summary>
    public float BiasRegularization { get; init; } = 0.01f;

    /// <summary>Throws when an option lies outside its range; the message names it.</summary>
    public void Validate()
    {
        ValidateShared();
        OptionRange.Require(Epochs is >= 1 and <= 10000, nameof(Epochs), Epochs, "1..10000");
        OptionRange.Require(LearningRate is > 0 and <= 1, nameof(LearningRate), LearningRate, "(0, 1]");
        OptionRange.Require(LearningRateDecay is > 0 and <= 1, nameof(LearningRateDecay), LearningRateDecay, "(0, 1]");
        OptionRange.Require(Regularization >= 0 && float.IsFinite(Regularization), nameof(Regularization), Regularization, "≥ 0");
        OptionRange.Require(BiasRegularization >= 0 && float.IsFinite(BiasRegularization), nameof(BiasRegularization), BiasRegularization, "≥ 0");
    }

    /// <summary>The options as JSON, as stored in model files.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);
}
