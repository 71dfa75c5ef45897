using System.Text.Json;
using System.Text.Json.Serialization;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// Options of implicit-feedback ALS (Hu, Koren, Volinsky, "Collaborative filtering for implicit feedback
/// datasets", ICDM 2008): every observed (u, i) has preference 1 and confidence c_ui (see
/// <see cref="Confidence"/>), every other pair preference 0 and confidence 1, and ALS minimises
/// Σ c_ui (p_ui − x_u·y_i)² + λ(Σ|x_u|² + Σ|y_i|²). Every default lives in <see cref="Defaults"/>.
/// </summary>
public sealed record AlsOptions : ModelOptions
{
    /// <summary>Options at their defaults.</summary>
    public AlsOptions()
        : base(0.01f)
    {
    }

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The defaults, chosen on a validation split carved from the ML-1M implicit training split.</summary>
    public static AlsOptions Defaults { get; } = new();

    /// <summary>Iterations, 1..10000; each solves every item, then every user. Default 15.</summary>
    public int Iterations { get; init; } = 15;

    /// <summary>
    /// L2 weight λ on the user and item factors, (0, 10⁶]. Default 100: on ML-1M positives the validation
    /// optimum lies on a ridge λ ≈ 12α, far above implicit's λ = 1 (α = 4, λ = 1 scores 13% lower NDCG@10 there).
    /// λ is added once to each row's normal equations, whose data term grows with the row's interactions, so on
    /// other data it scales with the interactions per user: the default suits about 61 per user (the validation
    /// carve of ML-1M it was chosen on), and <see cref="SuggestedRegularization"/> gives λ ≈ 1.64 × the data's mean.
    /// On ML-100K's carve (37.6 per user) that rule gives 61.6, validation NDCG@10 0.2240 against 0.1971 at 100
    /// (the sweep's best: 0.2284 at 50; bench/RESULTS.md, "ALS λ and the data").
    /// </summary>
    public float Regularization { get; init; } = 100f;

    /// <summary>Interactions per user of the data <see cref="Defaults"/>' λ was chosen on (the validation carve of ML-1M's implicit training split).</summary>
    public const double DefaultsInteractionsPerUser = 61.0;

    /// <summary>
    /// λ scaled to <paramref name="train"/> by the rule in <see cref="Regularization"/>'s remarks: the default λ times
    /// the data's interactions per user (users with none left out) over <see cref="DefaultsInteractionsPerUser"/>,
    /// rounded to 3 significant digits and kept in (0, 10⁶]. A starting point; <c>gpumf tune</c> searches λ with α.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix holds no interaction.</exception>
    public static float SuggestedRegularization(InteractionMatrix train)
    {
        ArgumentNullException.ThrowIfNull(train);
        int active = 0;
        for (int u = 0; u < train.UserCount; u++)
        {
            active += train.UserPtr[u + 1] > train.UserPtr[u] ? 1 : 0;
        }
        if (active == 0)
        {
            throw new ArgumentException("The matrix holds no interaction.", nameof(train));
        }
        double lambda = Defaults.Regularization * ((double)train.Count / active) / DefaultsInteractionsPerUser;
        double rounded = Math.Round(lambda, 2 - (int)Math.Floor(Math.Log10(lambda)));
        return (float)Math.Clamp(rounded, 1e-3, 1e6);
    }

    /// <summary>Confidence scale α, [0, 10⁶]: c = 1 + α·r (or 1 + α·ln(1 + r/ε)). Default 8, i.e. c = 9 for a bare positive.</summary>
    public float Alpha { get; init; } = 8f;

    /// <summary>How values become confidences. Default <see cref="ConfidenceScaling.Linear"/>.</summary>
    public ConfidenceScaling Confidence { get; init; } = ConfidenceScaling.Linear;

    /// <summary>ε of <see cref="ConfidenceScaling.Log"/>, (0, 10⁶]. Default 1.</summary>
    public float Epsilon { get; init; } = 1f;

    /// <summary>Row solver. Default <see cref="AlsSolver.ConjugateGradient"/> (as accurate on ML-1M and several times faster).</summary>
    public AlsSolver Solver { get; init; } = AlsSolver.ConjugateGradient;

    /// <summary>Conjugate-gradient steps per row and half-iteration, 1..1024 (implicit's default is 3). Default 3.</summary>
    public int CgSteps { get; init; } = 3;

    /// <summary>Compute the objective after every iteration (about one extra CG step of work); otherwise progress reports NaN as the loss. Default false.</summary>
    public bool ComputeLoss { get; init; }

    /// <summary>Throws when an option lies outside its range; the message names it.</summary>
    public void Validate()
    {
        ValidateShared();
        OptionRange.Require(Iterations is >= 1 and <= 10000, nameof(Iterations), Iterations, "1..10000");
        OptionRange.Require(Regularization is > 0 and <= 1e6f, nameof(Regularization), Regularization, "(0, 1e6]");
        OptionRange.Require(Alpha is >= 0 and <= 1e6f, nameof(Alpha), Alpha, "[0, 1e6]");
        OptionRange.Require(Enum.IsDefined(Confidence), nameof(Confidence), Confidence, "Linear or Log");
        OptionRange.Require(Epsilon is > 0 and <= 1e6f, nameof(Epsilon), Epsilon, "(0, 1e6]");
        OptionRange.Require(Enum.IsDefined(Solver), nameof(Solver), Solver, "ConjugateGradient or Cholesky");
        OptionRange.Require(CgSteps is >= 1 and <= 1024, nameof(CgSteps), CgSteps, "1..1024");
    }

    /// <summary>The options as JSON, as stored in model files (enums by name).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads options written by <see cref="ToJson"/>; missing fields take their defaults.</summary>
    /// <exception cref="InvalidDataException">The text is not such JSON, or an option is out of range.</exception>
    public static AlsOptions FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        AlsOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<AlsOptions>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The ALS options are not valid JSON: {e.Message}", e);
        }
        if (options is null)
        {
            throw new InvalidDataException("The ALS options are empty.");
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The stored ALS options are out of range: {e.Message}", e);
        }
        return options;
    }

    /// <summary>The confidence c ≥ 1 of an interaction value <paramref name="value"/> &gt; 0.</summary>
    public float ConfidenceOf(float value) => Confidence == ConfidenceScaling.Log
        ? 1f + Alpha * MathF.Log(1f + value / Epsilon)
        : 1f + Alpha * value;
}
