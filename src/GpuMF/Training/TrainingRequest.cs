using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;

namespace GpuMF.Training;

/// <summary>Everything a training run takes besides the options.</summary>
/// <param name="Train">The training interactions.</param>
/// <param name="Validation">Interactions in the same index space whose metric each epoch reports, or null.</param>
/// <param name="Backend">Where to run.</param>
/// <param name="Progress">Receives a report after each epoch, or null.</param>
/// <param name="Cancellation">Cancels the run.</param>
/// <param name="Checkpoint">Checkpoints to write, or null.</param>
/// <param name="ResumeFrom">A checkpoint of this run to continue from, or null.</param>
/// <param name="IlgpuWarps">Warps a lock-free ILGPU engine launches; 0 fills the device.</param>
internal sealed record TrainingRequest(
    InteractionMatrix Train,
    InteractionMatrix? Validation,
    ComputeBackend Backend,
    IProgress<EpochReport>? Progress,
    CancellationToken Cancellation,
    CheckpointOptions? Checkpoint,
    FactorModel? ResumeFrom,
    int IlgpuWarps)
{
    /// <summary>Early stopping on the validation data, or null (default) for none.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>User features in the training data's user index space (BPR and WARP only), or null (default) for none: each user is its own factors.</summary>
    public FeatureMatrix? UserFeatures { get; init; }

    /// <summary>Item features in the training data's item index space (BPR and WARP only), or null (default) for none: each item is its own factors.</summary>
    public FeatureMatrix? ItemFeatures { get; init; }

    /// <summary>The ranks of an MPI job training one model together (ALS by row ranges, the others by stratified SGD), or null (default) for this process alone.</summary>
    public MpiCommunicator? Communicator { get; init; }
}
