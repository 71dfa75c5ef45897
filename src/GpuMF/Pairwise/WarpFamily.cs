using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>The weighted approximate-rank pairwise loss on implicit positives, sampled SGD, in the registry of model families.</summary>
internal sealed class WarpFamily : PairwiseFamily<WarpOptions>
{
    public override ModelKind Kind => ModelKind.Warp;

    public override string Name => "warp";

    public override string Summary => "weighted approximate-rank pairwise loss on implicit positives, sampled SGD; scores are p_u·q_i + b_i";

    protected override WarpOptions Defaults => WarpOptions.Defaults;

    /// <summary>WARP's negatives per positive, 5..200: more finds violators of well-ranked positives at a higher cost per sample.</summary>
    protected override IEnumerable<SearchDimension> OwnSearch() => [SearchDimension.LogRange("max-sampled", 5, 200, rounded: true)];

    protected override IEnumerable<ModelOption> Own() =>
    [
        ModelOption.Int<WarpOptions>("max-sampled", nameof(WarpOptions.MaxSampled), "most negatives drawn per positive, 1..100000", WarpOptions.Defaults.MaxSampled, (o, v) => o with { MaxSampled = v }),
    ];

    protected override FactorModel Train(WarpOptions options, TrainingRequest r) =>
        new WarpTrainer(options, r.Backend) { IlgpuWarps = r.IlgpuWarps, Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping, Communicator = r.Communicator, UserFeatures = r.UserFeatures, ItemFeatures = r.ItemFeatures }.Fit(r.Train, r.Validation, r.Progress, r.Cancellation, r.ResumeFrom);
}
