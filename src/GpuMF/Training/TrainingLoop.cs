using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;

namespace GpuMF.Training;

/// <summary>
/// The one training loop every model uses: initial or resumed parameters, the engine the backend hands out,
/// the per-epoch step size, divergence checks, validation, progress, checkpoints and cancellation between
/// epochs, and the model at the end.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Runs <paramref name="run"/> to its last epoch and returns the model.</summary>
    /// <param name="run">The family's side of the run.</param>
    /// <param name="backend">Where to run; null opens (and closes) the managed CPU backend with every core.</param>
    /// <param name="validation">Interactions in the training index space whose metric is reported after each epoch, or null.</param>
    /// <param name="progress">Receives a report after each epoch, or null.</param>
    /// <param name="cancellation">Checked between epochs and at the engine's check points inside one.</param>
    /// <param name="checkpoint">Checkpoints to write, or null.</param>
    /// <param name="resumeFrom">A checkpoint of this very run to continue from, or null.</param>
    /// <exception cref="ArgumentException">The validation matrix does not share the training matrix's id maps, or the checkpoint is not of this run.</exception>
    /// <exception cref="TrainingDivergedException">An epoch's result is not finite.</exception>
    public static FactorModel Run<TEngine>(
        TrainingRun<TEngine> run,
        ComputeBackend? backend,
        InteractionMatrix? validation,
        IProgress<EpochReport>? progress,
        CancellationCheck cancellation,
        CheckpointOptions? checkpoint,
        FactorModel? resumeFrom)
        where TEngine : ITrainingEngine
    {
        var train = run.Train;
        if (validation is not null && (validation.UserCount > train.UserCount || validation.ItemCount > train.ItemCount))
        {
            throw new ArgumentException("The validation matrix must share the training matrix's id maps (build it with them).", nameof(validation));
        }
        checkpoint?.Validate();
        int done = 0;
        if (resumeFrom is not null)
        {
            Checkpoints.CheckResumable(resumeFrom, run.Kind, run.OptionsJson, run.Epochs, run.Unit, train);
            run.Resume(resumeFrom);
            done = resumeFrom.CompletedEpochs;
        }
        var host = backend ?? ComputeBackend.Create(BackendKind.Cpu);
        try
        {
            using var engine = host.CreateEngine(run.Engines);
            var clock = Stopwatch.StartNew();
            float lr = run.LearningRate;
            for (int epoch = 0; epoch < done; epoch++)
            {
                lr *= run.LearningRateDecay;
            }
            for (int epoch = done; epoch < run.Epochs; epoch++)
            {
                cancellation.ThrowIfCancelled();
                var epochStart = clock.Elapsed;
                var result = engine.RunEpoch(epoch, lr, cancellation);
                double seconds = (clock.Elapsed - epochStart).TotalSeconds;
                if (run.Divergence(result, lr) is { } advice)
                {
                    throw new TrainingDivergedException(epoch + 1, advice);
                }
                if (progress is not null)
                {
                    var report = run.Describe(epoch, result, clock.Elapsed, seconds);
                    if (validation is not null)
                    {
                        run.CopyBack(engine);
                        report = run.Validate(report, run.Assemble(0), validation);
                    }
                    progress.Report(report);
                }
                lr *= run.LearningRateDecay;
                if (Checkpoints.Due(checkpoint, epoch + 1, run.Epochs))
                {
                    run.CopyBack(engine);
                    ModelFile.Write(run.Assemble(epoch + 1), checkpoint!.Path);
                }
            }
            run.CopyBack(engine);
        }
        finally
        {
            if (backend is null)
            {
                host.Dispose();
            }
        }
        return run.Assemble(0);
    }
}
