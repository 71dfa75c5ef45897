using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// Trains the weighted approximate-rank pairwise model (<see cref="ModelKind.Warp"/>) on implicit
/// positives (Weston, Bengio, Usunier, IJCAI 2011). The trainer owns the loop (epochs, step size,
/// progress, cancellation); the backend runs each epoch: the managed CPU backend by block-partitioned
/// parallel SGD, an ILGPU backend by lock-free SGD with one warp per positive scoring a warp-wide batch
/// of candidate negatives at a time.
/// </summary>
/// <remarks>
/// What repeats: on the CPU backend a run repeats exactly for the same seed and thread count (each cell
/// of the block partition draws from its own stream, and no two threads share a row); different thread
/// counts give different, equally good models. An ILGPU run with the device filled is lock-free, so
/// concurrent warps race on shared rows and runs differ in the last bits; with one warp (used by the
/// kernel tests) it repeats exactly, and draws the same samples as one CPU thread, so the two agree to rounding.
/// With features (<see cref="UserFeatures"/>, <see cref="ItemFeatures"/>) the embedding tables start as the plain
/// factors do (normal with <see cref="ModelOptions.InitStdDev"/>, seeded per side) and the CPU backend trains
/// lock-free (Hogwild) instead of by block partition, since a feature's row is shared by every entity that has the
/// feature: one thread repeats exactly and draws what one GPU warp draws; several threads race on shared rows and
/// give equally good models that differ from run to run in the last bits. The ILGPU backend adds updates to shared
/// rows atomically.
/// </remarks>
public sealed class WarpTrainer
{
    private readonly ComputeBackend? _backend;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Options; null takes <see cref="WarpOptions.Defaults"/>.</param>
    /// <param name="backend">Where to run; null runs on the managed CPU backend with every core. An ILGPU backend whose
    /// memory cannot hold the positives streams them through it, and one of several devices (<see cref="ComputeBackend.CreateGroup"/>)
    /// trains across them, both by stratified SGD (blocks of users and hashed blocks of items, each cell cut into slices
    /// trained in turn); a model with features needs one device that holds it.</param>
    public WarpTrainer(WarpOptions? options = null, ComputeBackend? backend = null)
    {
        Options = options ?? WarpOptions.Defaults;
        Options.Validate();
        _backend = backend;
    }

    /// <summary>The options in force.</summary>
    public WarpOptions Options { get; }

    /// <summary>Checkpoints to write while training (with the adagrad sums, under adagrad), or null (default) for none.</summary>
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>
    /// Stop when the metric on the validation data given to <c>Fit</c> has not improved for this many epochs, and
    /// return the best epoch's model; null (default) runs every epoch.
    /// </summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// The users' features, or null (default) for none: row u describes the training data's user u (rows must equal its
    /// users, in its user index space). Null, or <see cref="FeatureMatrix.IsIdentityOnly"/>, trains the plain model
    /// exactly as without features; otherwise p_u = Σ weight · embedding over u's row, the embeddings learned
    /// (a hybrid model, Kula 2015), and the model's <see cref="FactorModel.UserFeatures"/> keeps the named features'.
    /// </summary>
    public FeatureMatrix? UserFeatures { get; init; }

    /// <summary>
    /// The items' features, or null (default) for none: row i describes the training data's item i (rows must equal its
    /// items, in its item index space). Null, or <see cref="FeatureMatrix.IsIdentityOnly"/>, trains the plain model
    /// exactly as without features; otherwise q_i = Σ weight · embedding and b_i = Σ weight · bias over i's row, and the
    /// model's <see cref="FactorModel.ItemFeatures"/> keeps the named features' embeddings and biases.
    /// </summary>
    public FeatureMatrix? ItemFeatures { get; init; }

    /// <summary>
    /// The ranks of an MPI job that train this model together by stratified SGD (each rank its block of users, the
    /// item blocks rotating, negatives from the cell's item block), or null (default) to train in this process
    /// alone. Every rank calls <c>Fit</c> with the same data and options (nothing checks that here), and all end with
    /// the same model. The managed CPU backend only, and without features.
    /// </summary>
    public MpiCommunicator? Communicator { get; init; }

    /// <summary>Warps launched by the ILGPU engine; 0 (default) fills the device, 1 makes a run sequential (for kernel tests).</summary>
    internal int IlgpuWarps { get; init; }

    /// <summary>Called at every cancellation check point inside an epoch (tests cancel from it); null (default) for none.</summary>
    internal Action? CancellationProbe { get; init; }

    /// <summary>Trains on the positives of <paramref name="train"/> (every stored pair is a positive; values are ignored).</summary>
    /// <param name="train">Implicit positives; users and items without any keep their initial factors.</param>
    /// <param name="validation">Optional positives in the same index space (built with the training id maps) whose precision@10 is reported after each epoch.</param>
    /// <param name="progress">Receives a <see cref="EpochReport"/> after each epoch.</param>
    /// <param name="cancellation">Checked between epochs and, within one, every few thousand pairs (CPU) or
    /// between kernel launches (ILGPU); cancelling throws <see cref="OperationCanceledException"/>, returns no
    /// model and writes no checkpoint for the unfinished epoch.</param>
    /// <param name="resumeFrom">A checkpoint of this training (same data, same options) to continue from; on the
    /// CPU backend the result equals that of an uninterrupted run with the same thread count.</param>
    /// <exception cref="ArgumentException">The matrix is empty, the validation matrix does not share its id maps, <paramref name="resumeFrom"/> is not a checkpoint of this training,
    /// a feature matrix's rows are not the training data's users or items, or features (other than identity only) come with <see cref="Checkpoint"/> or <paramref name="resumeFrom"/>:
    /// training with features writes no checkpoints, since a model file has no place for the embedding tables and their adagrad sums.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public FactorModel Fit(InteractionMatrix train, InteractionMatrix? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellation = default, FactorModel? resumeFrom = null) =>
        HybridRun.Fit(Options.ToSettings(), train ?? throw new ArgumentNullException(nameof(train)), UserFeatures, ItemFeatures, IlgpuWarps, _backend, validation, progress, new CancellationCheck(cancellation, CancellationProbe), Checkpoint, resumeFrom, EarlyStopping, Communicator);
}
