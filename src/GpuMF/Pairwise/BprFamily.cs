using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>Bayesian personalised ranking on implicit positives, sampled pairwise SGD, in the registry of model families.</summary>
internal sealed class BprFamily : ModelFamily<BprOptions>
{
    private static readonly Dictionary<string, LearningRateSchedule> Schedules = new() { ["adagrad"] = LearningRateSchedule.Adagrad, ["decay"] = LearningRateSchedule.ConstantWithDecay, ["constant"] = LearningRateSchedule.ConstantWithDecay };

    public override ModelKind Kind => ModelKind.Bpr;

    public override string Name => "bpr";

    public override string Summary => "Bayesian personalised ranking on implicit positives, sampled pairwise SGD; scores are p_u·q_i + b_i";

    public override bool TrainsOnPositives => true;

    public override bool LockFree => true;

    public override string EpochUnit => "epochs";

    public override IReadOnlyList<ModelOption> Options { get; } =
    [
        ModelOption.Int<BprOptions>("factors", nameof(BprOptions.Factors), "latent factors k, 1..1024", BprOptions.Defaults.Factors, (o, v) => o with { Factors = v }),
        ModelOption.Int<BprOptions>("epochs", nameof(BprOptions.Epochs), "passes over the positives, 1..10000", BprOptions.Defaults.Epochs, (o, v) => o with { Epochs = v }),
        ModelOption.Float<BprOptions>("lr", nameof(BprOptions.LearningRate), "initial step size η, (0, 1]", BprOptions.Defaults.LearningRate, (o, v) => o with { LearningRate = v }),
        ModelOption.Choice<BprOptions, LearningRateSchedule>("schedule", nameof(BprOptions.Schedule), "adagrad (η/√G per parameter) or decay (η·d^epoch)", BprOptions.Defaults.Schedule, Schedules, (o, v) => o with { Schedule = v }),
        ModelOption.Float<BprOptions>("lr-decay", nameof(BprOptions.LearningRateDecay), "step size multiplier after each epoch, (0, 1]", BprOptions.Defaults.LearningRateDecay, (o, v) => o with { LearningRateDecay = v }),
        ModelOption.Float<BprOptions>("reg", nameof(BprOptions.Regularization), "L2 weight on the factors and item biases an update touches, ≥ 0", BprOptions.Defaults.Regularization, (o, v) => o with { Regularization = v }),
        ModelOption.Flag<BprOptions>("item-bias", nameof(BprOptions.ItemBias), "learn an item bias b_i", BprOptions.Defaults.ItemBias, (o, v) => o with { ItemBias = v }),
        ModelOption.Flag<BprOptions>("reject-observed", nameof(BprOptions.RejectObservedNegatives), "redraw a negative that the user has, up to 32 draws", BprOptions.Defaults.RejectObservedNegatives, (o, v) => o with { RejectObservedNegatives = v }),
        ModelOption.Float<BprOptions>("init-std", nameof(BprOptions.InitStdDev), "standard deviation of the initial factors, (0, 1]", BprOptions.Defaults.InitStdDev, (o, v) => o with { InitStdDev = v }),
        ModelOption.ULong<BprOptions>("seed", nameof(BprOptions.Seed), "seed of the initial factors and of every epoch's streams", BprOptions.Defaults.Seed, (o, v) => o with { Seed = v }),
    ];

    protected override BprOptions Defaults => BprOptions.Defaults;

    protected override string ToJson(BprOptions options) => options.ToJson();

    protected override BprOptions? FromJson(string json) => JsonSerializer.Deserialize<BprOptions>(json);

    protected override void Validate(BprOptions options) => options.Validate();

    protected override FactorModel Train(BprOptions options, TrainingRequest r) =>
        new BprTrainer(options, r.Backend) { IlgpuWarps = r.IlgpuWarps, Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping }.Fit(r.Train, r.Validation, r.Progress, r.Cancellation, r.ResumeFrom);

    protected override UserFoldIn FoldIn(BprOptions options) => new PairwiseUserFoldIn(options.ToSettings());

    protected override FactorModel Update(FactorModel model, BprOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend) =>
        PairwiseUpdate.Run(model, options.ToSettings(), interactions, update, backend);
}
