using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// Trains biased matrix factorisation (<see cref="ModelKind.Svd"/>) by SGD on explicit ratings. The
/// trainer owns the loop (epochs, step-size decay, progress, cancellation); the backend runs each epoch.
/// </summary>
public sealed class SvdTrainer
{
    private readonly ComputeBackend? _backend;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Options; null takes <see cref="SvdOptions.Defaults"/>.</param>
    /// <param name="backend">Where to run; null runs on the managed CPU backend with every core.</param>
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
    /// <exception cref="ArgumentException">The matrix is empty, or <paramref name="resumeFrom"/> is not a checkpoint of this training.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public FactorModel Fit(InteractionMatrix train, InteractionMatrix? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellation = default, FactorModel? resumeFrom = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("The training matrix holds no ratings.", nameof(train));
        }
        if (validation is not null && (validation.UserCount > train.UserCount || validation.ItemCount > train.ItemCount))
        {
            throw new ArgumentException("The validation matrix must share the training matrix's id maps (build it with them).", nameof(validation));
        }
        var o = Options;
        Checkpoint?.Validate();
        int k = o.Factors;
        int firstEpoch = 0;
        float[] p, q, bu, bi;
        if (resumeFrom is null)
        {
            p = InitialFactors(train.UserCount, k, o.Seed, 1);
            q = InitialFactors(train.ItemCount, k, o.Seed, 2);
            bu = new float[train.UserCount];
            bi = new float[train.ItemCount];
        }
        else
        {
            Checkpoints.CheckResumable(resumeFrom, ModelKind.Svd, Options.ToJson(), o.Epochs, "epochs", train);
            firstEpoch = resumeFrom.CompletedEpochs;
            p = (float[])resumeFrom.UserFactors.Clone();
            q = (float[])resumeFrom.ItemFactors.Clone();
            bu = (float[])resumeFrom.UserBias!.Clone();
            bi = (float[])resumeFrom.ItemBias!.Clone();
        }
        var problem = SgdProblem.Shuffled(train, o, p, q, bu, bi);
        var backend = _backend ?? ComputeBackend.Create(BackendKind.Cpu);
        try
        {
            using ISgdEngine engine = backend.IsIlgpu ? new IlgpuSgdEngine(backend, problem, IlgpuWarps) : new CpuSgdEngine(problem, backend.Threads);
            var clock = Stopwatch.StartNew();
            float lr = o.LearningRate;
            for (int epoch = 0; epoch < firstEpoch; epoch++)
            {
                lr *= o.LearningRateDecay;
            }
            for (int epoch = firstEpoch; epoch < o.Epochs; epoch++)
            {
                cancellation.ThrowIfCancellationRequested();
                var epochStart = clock.Elapsed;
                double sq = engine.RunEpoch(epoch, lr, new CancellationCheck(cancellation, CancellationProbe));
                double rmse = Math.Sqrt(sq / train.Count);
                if (!double.IsFinite(rmse))
                {
                    throw new TrainingDivergedException(epoch + 1, $"Try a smaller learning rate than {lr} (--lr), or a larger regularization.");
                }
                double? validRmse = null;
                if (validation is not null)
                {
                    engine.CopyTo(p, q, bu, bi);
                    validRmse = RatingMetrics.Evaluate(Assemble(train, p, q, bu, bi, problem.Mean), validation).Rmse;
                }
                var seconds = (clock.Elapsed - epochStart).TotalSeconds;
                progress?.Report(new EpochReport(epoch + 1, o.Epochs, rmse, validRmse, clock.Elapsed, train.Count / Math.Max(seconds, 1e-9)));
                lr *= o.LearningRateDecay;
                if (Checkpoints.Due(Checkpoint, epoch + 1, o.Epochs))
                {
                    engine.CopyTo(p, q, bu, bi);
                    Assemble(train, p, q, bu, bi, problem.Mean, epoch + 1).Save(Checkpoint!.Path);
                }
            }
            engine.CopyTo(p, q, bu, bi);
        }
        finally
        {
            if (_backend is null)
            {
                backend.Dispose();
            }
        }
        return Assemble(train, p, q, bu, bi, problem.Mean);
    }

    private FactorModel Assemble(InteractionMatrix train, float[] p, float[] q, float[] bu, float[] bi, float mean, int completedEpochs = 0) =>
        new(ModelKind.Svd, train.Users, train.Items, Options.Factors, p, q, bu, bi, mean, train.UserPtr, train.UserItems, Options.ToJson())
        {
            CompletedEpochs = completedEpochs,
        };

    /// <summary>Normal factors with the configured standard deviation, seeded per side.</summary>
    internal float[] InitialFactors(int rows, int k, ulong seed, int side) => NormalFactors.Create(rows, k, Options.InitStdDev, seed, side);
}
