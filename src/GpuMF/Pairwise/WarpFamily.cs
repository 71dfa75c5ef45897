using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>Weighted approximate-rank pairwise loss on implicit positives, sampled SGD, in the registry of model families.</summary>
internal sealed class WarpFamily : ModelFamily<WarpOptions>
{
    private static readonly Dictionary<string, LearningRateSchedule> Schedules = new() { ["adagrad"] = LearningRateSchedule.Adagrad, ["decay"] = LearningRateSchedule.ConstantWithDecay, ["constant"] = LearningRateSchedule.ConstantWithDecay };

    public override ModelKind Kind => ModelKind.Warp;

    public override string Name => "warp";

    public override string Summary => "weighted approximate-rank pairwise loss on implicit positives, sampled SGD; scores are p_u·q_i + b_i";

    public override bool TrainsOnPositives => true;

    public override bool LockFree => true;

    public override string EpochUnit => "epochs";

    public override IReadOnlyList<ModelOption> Options { get; } =
    [
        ModelOption.Int<WarpOptions>("factors", nameof(WarpOptions.Factors), "latent factors k, 1..1024", WarpOptions.Defaults.Factors, (o, v) => o with { Factors = v }),
        ModelOption.Int<WarpOptions>("epochs", nameof(WarpOptions.Epochs), "passes over the positives, 1..10000", WarpOptions.Defaults.Epochs, (o, v) => o with { Epochs = v }),
        ModelOption.Float<WarpOptions>("lr", nameof(WarpOptions.LearningRate), "initial step size η, (0, 1]", WarpOptions.Defaults.LearningRate, (o, v) => o with { LearningRate = v }),
        ModelOption.Choice<WarpOptions, LearningRateSchedule>("schedule", nameof(WarpOptions.Schedule), "adagrad (η/√G per parameter) or decay (η·d^epoch)", WarpOptions.Defaults.Schedule, Schedules, (o, v) => o with { Schedule = v }),
        ModelOption.Float<WarpOptions>("lr-decay", nameof(WarpOptions.LearningRateDecay), "step size multiplier after each epoch, (0, 1]", WarpOptions.Defaults.LearningRateDecay, (o, v) => o with { LearningRateDecay = v }),
        ModelOption.Float<WarpOptions>("reg", nameof(WarpOptions.Regularization), "L2 weight on the factors and item biases an update touches, ≥ 0", WarpOptions.Defaults.Regularization, (o, v) => o with { Regularization = v }),
        ModelOption.Flag<WarpOptions>("item-bias", nameof(WarpOptions.ItemBias), "learn an item bias b_i", WarpOptions.Defaults.ItemBias, (o, v) => o with { ItemBias = v }),
        ModelOption.Int<WarpOptions>("max-sampled", nameof(WarpOptions.MaxSampled), "most negatives drawn per positive, 1..100000", WarpOptions.Defaults.MaxSampled, (o, v) => o with { MaxSampled = v }),
        ModelOption.Float<WarpOptions>("init-std", nameof(WarpOptions.InitStdDev), "standard deviation of the initial factors, (0, 1]", WarpOptions.Defaults.InitStdDev, (o, v) => o with { InitStdDev = v }),
        ModelOption.ULong<WarpOptions>("seed", nameof(WarpOptions.Seed), "seed of the initial factors and of every epoch's streams", WarpOptions.Defaults.Seed, (o, v) => o with { Seed = v }),
    ];

    protected override WarpOptions Defaults => WarpOptions.Defaults;

    protected override string ToJson(WarpOptions options) => options.ToJson();

    protected override WarpOptions? FromJson(string json) => JsonSerializer.Deserialize<WarpOptions>(json);

    protected override void Validate(WarpOptions options) => options.Validate();

    protected override FactorModel Train(WarpOptions options, TrainingRequest r) =>
        new WarpTrainer(options, r.Backend) { IlgpuWarps = r.IlgpuWarps, Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping }.Fit(r.Train, r.Validation, r.Progress, r.Cancellation, r.ResumeFrom);

    protected override UserFoldIn FoldIn(WarpOptions options) => new PairwiseUserFoldIn(options.ToSettings());

    protected override FactorModel Update(FactorModel model, WarpOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend) =>
        PairwiseUpdate.Run(model, options.ToSettings(), interactions, update, backend);
}
