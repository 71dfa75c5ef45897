using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>Biased matrix factorisation of explicit ratings, trained by SGD, in the registry of model families.</summary>
internal sealed class SvdFamily : ModelFamily<SvdOptions>
{
    public override ModelKind Kind => ModelKind.Svd;

    public override string Name => "svd";

    public override string Summary => "biased matrix factorisation of explicit ratings, trained by SGD; scores are predicted ratings less μ and b_u";

    public override bool TrainsOnPositives => false;

    public override bool LockFree => true;

    public override string EpochUnit => "epochs";

    /// <summary>
    /// Around the defaults by a decade or so each way: factors 16..256, step 0.003..0.1, decay 0.8..1, λ 0.005..0.3,
    /// bias λ 0.001..0.1 (Koren, Bell, Volinsky 2009 and LIBMF's reported settings fall inside).
    /// </summary>
    public override IReadOnlyList<SearchDimension> SearchSpace { get; } =
    [
        SearchDimension.LogRange("factors", 16, 256, rounded: true),
        SearchDimension.LogRange("lr", 0.003, 0.1),
        SearchDimension.Range("lr-decay", 0.8, 1.0),
        SearchDimension.LogRange("reg", 0.005, 0.3),
        SearchDimension.LogRange("bias-reg", 0.001, 0.1),
    ];

    public override IReadOnlyList<ModelOption> Options { get; } =
    [
        ModelOption.Int<SvdOptions>("factors", nameof(SvdOptions.Factors), "latent factors k, 1..1024", SvdOptions.Defaults.Factors, (o, v) => o with { Factors = v }),
        ModelOption.Int<SvdOptions>("epochs", nameof(SvdOptions.Epochs), "passes over the ratings, 1..10000", SvdOptions.Defaults.Epochs, (o, v) => o with { Epochs = v }),
        ModelOption.Float<SvdOptions>("lr", nameof(SvdOptions.LearningRate), "initial step size, (0, 1]", SvdOptions.Defaults.LearningRate, (o, v) => o with { LearningRate = v }),
        ModelOption.Float<SvdOptions>("lr-decay", nameof(SvdOptions.LearningRateDecay), "step size multiplier after each epoch, (0, 1]", SvdOptions.Defaults.LearningRateDecay, (o, v) => o with { LearningRateDecay = v }),
        ModelOption.Float<SvdOptions>("reg", nameof(SvdOptions.Regularization), "L2 weight on the factors, ≥ 0", SvdOptions.Defaults.Regularization, (o, v) => o with { Regularization = v }),
        ModelOption.Float<SvdOptions>("bias-reg", nameof(SvdOptions.BiasRegularization), "L2 weight on the biases, ≥ 0", SvdOptions.Defaults.BiasRegularization, (o, v) => o with { BiasRegularization = v }),
        ModelOption.Float<SvdOptions>("init-std", nameof(SvdOptions.InitStdDev), "standard deviation of the initial factors, (0, 1]", SvdOptions.Defaults.InitStdDev, (o, v) => o with { InitStdDev = v }),
        ModelOption.ULong<SvdOptions>("seed", nameof(SvdOptions.Seed), "seed of the initial factors and of every epoch's order", SvdOptions.Defaults.Seed, (o, v) => o with { Seed = v }),
    ];

    protected override SvdOptions Defaults => SvdOptions.Defaults;

    protected override string ToJson(SvdOptions options) => options.ToJson();

    protected override SvdOptions? FromJson(string json) => JsonSerializer.Deserialize<SvdOptions>(json);

    protected override void Validate(SvdOptions options) => options.Validate();

    protected override FactorModel Train(SvdOptions options, TrainingRequest r) =>
        new SvdTrainer(options, r.Backend) { IlgpuWarps = r.IlgpuWarps, Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping, Communicator = r.Communicator }.Fit(r.Train, r.Validation, r.Progress, r.Cancellation, r.ResumeFrom);

    protected override UserFoldIn FoldIn(SvdOptions options) => new SvdUserFoldIn(options);

    protected override FactorModel Update(FactorModel model, SvdOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend) =>
        SvdUpdate.Run(model, options, interactions, update, backend);
}
