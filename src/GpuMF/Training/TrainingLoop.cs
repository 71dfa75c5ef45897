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
    /// <param name="earlyStopping">Stop when the validation metric has not improved for this long and return the best epoch's model; null (default) runs every epoch.</param>
    /// <exception cref="ArgumentException">The validation matrix does not share the training matrix's id maps, the checkpoint is not of this run, or early stopping is asked for without validation data.</exception>
    /// <exception cref="TrainingDivergedException">An epoch's result is not finite.</exception>
    public static FactorModel Run<TEngine>(
        TrainingRun<TEngine> run,
        ComputeBackend? backend,
        InteractionMatrix? validation,
        IProgress<EpochReport>? progress,
        CancellationCheck cancellation,
        CheckpointOptions? checkpoint,
        FactorModel? resumeFrom,
        EarlyStopping? earlyStopping = null)
        where TEngine : ITrainingEngine
    {
        var train = run.Train;
        earlyStopping?.Validate();
        if (earlyStopping is not null && validation is null)
        {
            throw new ArgumentException("Early stopping watches a validation metric: give validation data.", nameof(earlyStopping));
        }
        if (earlyStopping?.Metric is { } metric && (metric == ValidationMetric.Rmse) != (run.Kind == ModelKind.Svd))
        {
            throw new ArgumentException($"Early stopping on {metric} does not apply to {run.Kind}: RMSE is for explicit ratings (svd), precision@10 and NDCG@10 for the implicit models.", nameof(earlyStopping));
        }
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
        FactorModel? best = null;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;
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
                if (progress is not null || earlyStopping is not null)
                {
                    var report = run.Describe(epoch, result, clock.Elapsed, seconds);
                    if (validation is not null)
                    {
                        run.CopyBack(engine);
                        var current = run.Assemble(0);
                        report = run.Validate(report, current, validation);
                        double score = (earlyStopping ?? new EarlyStopping(1)).Score(report) ?? double.NaN;
                        if (score > bestScore || bestEpoch == 0)
                        {
                            bestScore = score;
                            bestEpoch = epoch + 1;
                            best = earlyStopping is null ? null : run.Snapshot(current);
                        }
                        report = report with { BestEpoch = bestEpoch };
                    }
                    progress?.Report(report);
                }
                lr *= run.LearningRateDecay;
                if (Checkpoints.Due(checkpoint, epoch + 1, run.Epochs))
                {
                    run.CopyBack(engine);
                    ModelFile.Write(run.Assemble(epoch + 1), checkpoint!.Path);
                }
                if (earlyStopping is not null && epoch + 1 - bestEpoch >= earlyStopping.Patience)
                {
                    break;
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
        return best ?? run.Assemble(0);
    }
}
