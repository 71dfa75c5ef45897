using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>What the BPR and WARP families share in the registry: their common options, their fold-in and update rules.</summary>
/// <typeparam name="TOptions">The family's options record.</typeparam>
internal abstract class PairwiseFamily<TOptions> : ModelFamily<TOptions>
    where TOptions : PairwiseOptions
{
    private static readonly Dictionary<string, LearningRateSchedule> Schedules = new() { ["adagrad"] = LearningRateSchedule.Adagrad, ["decay"] = LearningRateSchedule.ConstantWithDecay, ["constant"] = LearningRateSchedule.ConstantWithDecay };

    public override bool TrainsOnPositives => true;

    public override bool LockFree => true;

    public override bool SupportsFeatures => true;

    public override string EpochUnit => "epochs";

    /// <summary>
    /// Factors 16..256, the step 0.005..0.3 and λ 1e-5..0.03 log-uniformly (adagrad, the default schedule, makes the
    /// step less critical), with or without the item bias; WARP adds its negatives budget.
    /// </summary>
    public override IReadOnlyList<SearchDimension> SearchSpace => field ??= [.. SharedSearch(), .. OwnSearch()];

    /// <summary>This family's own dimensions, searched after the shared ones.</summary>
    protected virtual IEnumerable<SearchDimension> OwnSearch() => [];

    private static IEnumerable<SearchDimension> SharedSearch() =>
    [
        SearchDimension.LogRange("factors", 16, 256, rounded: true),
        SearchDimension.LogRange("lr", 0.005, 0.3),
        SearchDimension.LogRange("reg", 1e-5, 0.03),
        SearchDimension.Choice("item-bias", "true", "false"),
    ];

    public sealed override IReadOnlyList<ModelOption> Options => field ??= [.. Shared().Take(7), .. Own(), .. Shared().Skip(7)];

    /// <summary>The options of this family alone, listed after the shared ones that set the step.</summary>
    protected abstract IEnumerable<ModelOption> Own();

    protected override string ToJson(TOptions options) => JsonSerializer.Serialize(options);

    protected override TOptions? FromJson(string json) => JsonSerializer.Deserialize<TOptions>(json);

    protected override void Validate(TOptions options) => options.Validate();

    protected override UserFoldIn FoldIn(TOptions options) => new PairwiseUserFoldIn(options.ToSettings());

    protected override FactorModel Update(FactorModel model, TOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend) =>
        PairwiseUpdate.Run(model, options.ToSettings(), interactions, update, backend);

    private IEnumerable<ModelOption> Shared()
    {
        var d = Defaults;
        yield return ModelOption.Int<TOptions>("factors", nameof(d.Factors), "latent factors k, 1..1024", d.Factors, (o, v) => (TOptions)(o with { Factors = v }));
        yield return ModelOption.Int<TOptions>("epochs", nameof(d.Epochs), "passes over the positives, 1..10000", d.Epochs, (o, v) => (TOptions)(o with { Epochs = v }));
        yield return ModelOption.Float<TOptions>("lr", nameof(d.LearningRate), "initial step size η, (0, 1]", d.LearningRate, (o, v) => (TOptions)(o with { LearningRate = v }));
        yield return ModelOption.Choice<TOptions, LearningRateSchedule>("schedule", nameof(d.Schedule), "adagrad (η/√G per parameter) or decay (η·d^epoch)", d.Schedule, Schedules, (o, v) => (TOptions)(o with { Schedule = v }));
        yield return ModelOption.Float<TOptions>("lr-decay", nameof(d.LearningRateDecay), "step size multiplier after each epoch, (0, 1]", d.LearningRateDecay, (o, v) => (TOptions)(o with { LearningRateDecay = v }));
        yield return ModelOption.Float<TOptions>("reg", nameof(d.Regularization), "L2 weight on the factors and item biases an update touches, ≥ 0", d.Regularization, (o, v) => (TOptions)(o with { Regularization = v }));
        yield return ModelOption.Flag<TOptions>("item-bias", nameof(d.ItemBias), "learn an item bias b_i", d.ItemBias, (o, v) => (TOptions)(o with { ItemBias = v }));
        yield return ModelOption.Float<TOptions>("init-std", nameof(d.InitStdDev), "standard deviation of the initial factors, (0, 1]", d.InitStdDev, (o, v) => (TOptions)(o with { InitStdDev = v }));
        yield return ModelOption.ULong<TOptions>("seed", nameof(d.Seed), "seed of the initial factors and of every epoch's streams", d.Seed, (o, v) => (TOptions)(o with { Seed = v }));
    }
}
