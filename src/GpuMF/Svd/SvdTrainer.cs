using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// Trains biased matrix factorisation (<see cref="ModelKind.Svd"/>) by SGD on explicit ratings. The
/// trainer owns the loop (epochs, step-size decay, progress, cancellation); the backend runs each epoch.
/// </summary>
public sealed class SvdTrainer
{
    private readonly ComputeBackend? _backend;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Options; null takes <see cref="SvdOptions.Defaults"/>.</param>
    /// <param name="backend">Where to run; null runs on the managed CPU backend with every core. An ILGPU backend whose
    /// memory cannot hold the ratings streams them through it, and one of several devices (<see cref="ComputeBackend.CreateGroup"/>)
    /// trains across them, both by stratified SGD (blocks of users and items trained a cell at a time).</param>
    public SvdTrainer(SvdOptions? options = null, ComputeBackend? backend = null)
    {
        Options = options ?? SvdOptions.Defaults;
        Options.Validate();
        _backend = backend;
    }

    /// <summary>The options in force.</summary>
    public SvdOptions Options { get; }

    /// <summary>Checkpoints to write while training, or null (default) for none.</summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>
    /// Stop when the metric on the validation data given to <c>Fit</c> has not improved for this many epochs, and
    /// return the best epoch's model; null (default) runs every epoch.
    /// </summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// The ranks of an MPI job that train this model together by stratified SGD (each rank its block of users, the
    /// item blocks rotating: <see cref="MpiSgdEngine"/>), or null (default) to train in this process alone. Every
    /// rank calls <c>Fit</c> with the same data and options (nothing checks that here), and all end with the same
    /// model, which differs from a single process's as SGD's visiting order does. The managed CPU backend only.
    /// </summary>
    public MpiCommunicator? Communicator { get; init; }

    /// <summary>Warps launched by the ILGPU engine; 0 (default) fills the device, 1 makes a run sequential (for kernel tests).</summary>
    internal int IlgpuWarps { get; init; }

    /// <summary>Called at every cancellation check point inside an epoch (tests cancel from it); null (default) for none.</summary>
    internal Action? CancellationProbe { get; init; }

    /// <summary>Trains on <paramref name="train"/>.</summary>
    /// <param name="train">Explicit ratings; users and items without ratings keep their initial factors.</param>
    /// <param name="validation">Optional ratings in the same index space (built with the training id maps) whose RMSE is reported after each epoch.</param>
    /// <param name="progress">Receives an <see cref="EpochReport"/> after each epoch.</param>
    /// <param name="cancellation">Checked between epochs and, within one, every few thousand ratings (CPU) or
    /// between kernel launches (ILGPU); cancelling throws <see cref="OperationCanceledException"/>, returns no
    /// model and writes no checkpoint for the unfinished epoch.</param>
    /// <param name="resumeFrom">A checkpoint of this training (same data, same options) to continue from; with
    /// the CPU backend the result equals that of an uninterrupted run with the same thread count.</param>
    /// <exception cref="ArgumentException">The matrix is empty, <paramref name="resumeFrom"/> is not a checkpoint of this training, or a <see cref="Communicator"/> is set with an ILGPU backend.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public FactorModel Fit(InteractionMatrix train, InteractionMatrix? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellation = default, FactorModel? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (Communicator is not null && _backend is { IsIlgpu: true })
        {
            throw new ArgumentException($"SVD across MPI ranks runs on the managed CPU backend, not on {_backend.DeviceName}.", "backend");
        }
        return TrainingLoop.Run(new SvdRun(Options, train, IlgpuWarps, Communicator), _backend, validation, progress, new CancellationCheck(cancellation, CancellationProbe), Checkpoint, resumeFrom, EarlyStopping);
    }
}
