using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>Implicit-feedback ALS (Hu, Koren, Volinsky 2008) in the registry of model families.</summary>
internal sealed class AlsFamily : ModelFamily<AlsOptions>
{
    private static readonly Dictionary<string, ConfidenceScaling> Scalings = new() { ["linear"] = ConfidenceScaling.Linear, ["log"] = ConfidenceScaling.Log };
    private static readonly Dictionary<string, AlsSolver> Solvers = new() { ["cg"] = AlsSolver.ConjugateGradient, ["cholesky"] = AlsSolver.Cholesky };

    public override ModelKind Kind => ModelKind.Als;

    public override string Name => "als";

    public override string Summary => "implicit-feedback alternating least squares on positives (confidence 1 + α·r); scores are p_u·q_i";

    public override bool TrainsOnPositives => true;

    public override bool LockFree => false;

    public override string EpochUnit => "iterations";

    /// <summary>
    /// Factors 16..256, λ 1..1000 and α 0.5..100 log-uniformly (the scales Hu, Koren and Volinsky and implicit's users
    /// report: λ grows with the interactions per row, α with how much one interaction says), linear or log confidence.
    /// </summary>
    public override IReadOnlyList<SearchDimension> SearchSpace { get; } =
    [
        SearchDimension.LogRange("factors", 16, 256, rounded: true),
        SearchDimension.LogRange("reg", 1, 1000),
        SearchDimension.LogRange("alpha", 0.5, 100),
        SearchDimension.Choice("confidence", "linear", "log"),
    ];

    public override IReadOnlyList<ModelOption> Options { get; } =
    [
        ModelOption.Int<AlsOptions>("factors", nameof(AlsOptions.Factors), "latent factors k, 1..1024", AlsOptions.Defaults.Factors, (o, v) => o with { Factors = v }),
        ModelOption.Int<AlsOptions>("iterations", nameof(AlsOptions.Iterations), "iterations, each solving every item then every user, 1..10000", AlsOptions.Defaults.Iterations, (o, v) => o with { Iterations = v }),
        ModelOption.Float<AlsOptions>("reg", nameof(AlsOptions.Regularization), "L2 weight λ on the factors, (0, 1e6]", AlsOptions.Defaults.Regularization, (o, v) => o with { Regularization = v }),
        ModelOption.Float<AlsOptions>("alpha", nameof(AlsOptions.Alpha), "confidence scale α, [0, 1e6]: c = 1 + α·r", AlsOptions.Defaults.Alpha, (o, v) => o with { Alpha = v }),
        ModelOption.Choice<AlsOptions, ConfidenceScaling>("confidence", nameof(AlsOptions.Confidence), "how values become confidences: linear (1 + α·r) or log (1 + α·ln(1 + r/ε)); given on the command line, it makes als read the value column as counts (without it, every row is a positive of value 1)", AlsOptions.Defaults.Confidence, Scalings, (o, v) => o with { Confidence = v }),
        ModelOption.Float<AlsOptions>("epsilon", nameof(AlsOptions.Epsilon), "ε of the log confidence, (0, 1e6]", AlsOptions.Defaults.Epsilon, (o, v) => o with { Epsilon = v }),
        ModelOption.Choice<AlsOptions, AlsSolver>("solver", nameof(AlsOptions.Solver), "row solver: cg (conjugate gradient) or cholesky (exact)", AlsOptions.Defaults.Solver, Solvers, (o, v) => o with { Solver = v }),
        ModelOption.Int<AlsOptions>("cg-steps", nameof(AlsOptions.CgSteps), "conjugate-gradient steps per row and half-iteration, 1..1024", AlsOptions.Defaults.CgSteps, (o, v) => o with { CgSteps = v }),
        ModelOption.Float<AlsOptions>("init-std", nameof(AlsOptions.InitStdDev), "standard deviation of the initial factors, (0, 1]", AlsOptions.Defaults.InitStdDev, (o, v) => o with { InitStdDev = v }),
        ModelOption.ULong<AlsOptions>("seed", nameof(AlsOptions.Seed), "seed of the initial factors", AlsOptions.Defaults.Seed, (o, v) => o with { Seed = v }),
        ModelOption.Flag<AlsOptions>("loss", nameof(AlsOptions.ComputeLoss), "report the weighted objective after every iteration", AlsOptions.Defaults.ComputeLoss, (o, v) => o with { ComputeLoss = v }),
    ];

    protected override AlsOptions Defaults => AlsOptions.Defaults;

    protected override string ToJson(AlsOptions options) => options.ToJson();

    protected override AlsOptions? FromJson(string json) => AlsOptions.FromJson(json);

    protected override void Validate(AlsOptions options) => options.Validate();

    protected override FactorModel Train(AlsOptions options, TrainingRequest r) =>
        new AlsTrainer(options, r.Backend) { Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping, Communicator = r.Communicator }.Fit(r.Train, r.Progress, r.Cancellation, r.ResumeFrom, r.Validation);

    protected override UserFoldIn FoldIn(AlsOptions options) => new AlsUserFoldIn(options);

    protected override FactorModel Update(FactorModel model, AlsOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend) =>
        AlsUpdate.Run(model, options, interactions, update, backend);
}
