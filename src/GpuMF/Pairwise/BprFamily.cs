using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>Bayesian personalised ranking on implicit positives, sampled pairwise SGD, in the registry of model families.</summary>
internal sealed class BprFamily : PairwiseFamily<BprOptions>
{
    public override ModelKind Kind => ModelKind.Bpr;

    public override string Name => "bpr";

    public override string Summary => "Bayesian personalised ranking on implicit positives, sampled pairwise SGD; scores are p_u·q_i + b_i";

    protected override BprOptions Defaults => BprOptions.Defaults;

    protected override IEnumerable<ModelOption> Own() =>
    [
        ModelOption.Flag<BprOptions>("reject-observed", nameof(BprOptions.RejectObservedNegatives), "redraw a negative that the user has, up to 32 draws", BprOptions.Defaults.RejectObservedNegatives, (o, v) => o with { RejectObservedNegatives = v }),
    ];

    protected override FactorModel Train(BprOptions options, TrainingRequest r) =>
        new BprTrainer(options, r.Backend) { IlgpuWarps = r.IlgpuWarps, Checkpoint = r.Checkpoint, EarlyStopping = r.EarlyStopping, Communicator = r.Communicator, UserFeatures = r.UserFeatures, ItemFeatures = r.ItemFeatures }.Fit(r.Train, r.Validation, r.Progress, r.Cancellation, r.ResumeFrom);
}
