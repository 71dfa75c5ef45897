using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Kernels;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// The loop BPR and WARP share: initial (or resumed) parameters, the engine of the backend, the per-epoch
/// step size, progress, divergence checks, checkpoints and cancellation between epochs, and the model at the end.
/// </summary>
internal static class PairwiseTraining
{
    public static FactorModel Fit(
        PairwiseSettings settings,
        ComputeBackend? backend,
        int ilgpuWarps,
        InteractionMatrix train,
        InteractionMatrix? validation,
        IProgress<PairwiseEpochReport>? progress,
        CancellationCheck cancellation,
        CheckpointOptions? checkpoint,
        FactorModel? resumeFrom)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
        {
            throw new ArgumentException("The training matrix holds no interactions.", nameof(train));
        }
        if (validation is not null && (validation.UserCount > train.UserCount || validation.ItemCount > train.ItemCount))
        {
            throw new ArgumentException("The validation matrix must share the training matrix's id maps (build it with them).", nameof(validation));
        }
        checkpoint?.Validate();
        var problem = CreateProblem(settings, train);
        int done = 0;
        if (resumeFrom is not null)
        {
            done = Resume(settings, train, problem, resumeFrom);
        }
        var host = backend ?? ComputeBackend.Create(BackendKind.Cpu);
        try
        {
            using var engine = CreateEngine(host, problem, ilgpuWarps);
            var clock = Stopwatch.StartNew();
            float lr = settings.LearningRate;
            for (int epoch = 0; epoch < done; epoch++)
            {
                lr *= settings.LearningRateDecay;
            }
            for (int epoch = done; epoch < settings.Epochs; epoch++)
            {
                cancellation.ThrowIfCancelled();
                var epochStart = clock.Elapsed;
                var stats = engine.RunEpoch(epoch, lr, cancellation);
                double seconds = (clock.Elapsed - epochStart).TotalSeconds;
                double loss = stats.Loss / Math.Max(1, stats.Samples);
                if (!double.IsFinite(loss))
                {
                    throw new TrainingDivergedException(epoch + 1, $"Try a smaller learning rate than {lr} (--lr), or a larger regularization.");
                }
                if (progress is not null)
                {
                    double? precision = null;
                    if (validation is not null)
                    {
                        engine.CopyTo(problem);
                        precision = RankingMetrics.Evaluate(Assemble(settings, train, problem), validation).Precision;
                    }
                    double hits = (double)stats.Hits / Math.Max(1, stats.Samples);
                    progress.Report(new PairwiseEpochReport(
                        epoch + 1,
                        settings.Epochs,
                        loss,
                        stats.Samples,
                        stats.Samples / Math.Max(seconds, 1e-9),
                        settings.Kind == ModelKind.Bpr ? hits : null,
                        settings.Kind == ModelKind.Warp ? hits : null,
                        (double)stats.Trials / Math.Max(1, stats.Samples),
                        precision,
                        clock.Elapsed));
                }
                lr *= settings.LearningRateDecay;
                if (Checkpoints.Due(checkpoint, epoch + 1, settings.Epochs))
                {
                    engine.CopyTo(problem);
                    Assemble(settings, train, problem, epoch + 1).Save(checkpoint!.Path);
                }
            }
            engine.CopyTo(problem);
        }
        finally
        {
            if (backend is null)
            {
                host.Dispose();
            }
        }
        return Assemble(settings, train, problem);
    }

    /// <summary>The parameters before training: normal factors seeded per side, zero biases, adagrad sums at 1.</summary>
    public static PairwiseProblem CreateProblem(PairwiseSettings settings, InteractionMatrix train)
    {
        int k = settings.Factors;
        float[]? Ones(long length) => settings.Adagrad ? Enumerable.Repeat(1f, checked((int)length)).ToArray() : null;
        return new PairwiseProblem(
            train.UserCount,
            train.ItemCount,
            train.EntryUsers(),
            train.UserItems,
            train.UserPtr,
            train.UserItems,
            Normal((long)train.UserCount * k, settings.InitStdDev, settings.Seed, 1),
            Normal((long)train.ItemCount * k, settings.InitStdDev, settings.Seed, 2),
            new float[train.ItemCount],
            Ones((long)train.UserCount * k),
            Ones((long)train.ItemCount * k),
            Ones(train.ItemCount),
            settings);
    }

    public static IPairwiseEngine CreateEngine(ComputeBackend backend, PairwiseProblem problem, int ilgpuWarps) =>
        (problem.Settings.Kind, backend.IsIlgpu) switch
        {
            (ModelKind.Bpr or ModelKind.Warp, true) => new IlgpuPairwiseEngine(backend, problem, ilgpuWarps),
            (ModelKind.Bpr, false) => new CpuBprEngine(problem, backend.Threads),
            (ModelKind.Warp, false) => new CpuWarpEngine(problem, backend.Threads),
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem.Settings.Kind, "Not a pairwise model."),
        };

    /// <summary>
    /// The model; for a checkpoint (<paramref name="completedEpochs"/> ≥ 1) also the adagrad sums, since the
    /// step sizes of the epochs to come depend on them. A checkpoint without item biases keeps none: they stay 0.
    /// </summary>
    private static FactorModel Assemble(PairwiseSettings settings, InteractionMatrix train, PairwiseProblem problem, int completedEpochs = 0) =>
        new(settings.Kind, train.Users, train.Items, settings.Factors, problem.P, problem.Q, null,
            settings.ItemBias ? problem.ItemBias : null, 0f, train.UserPtr, train.UserItems, settings.OptionsJson)
        {
            CompletedEpochs = completedEpochs,
            Adagrad = completedEpochs > 0 && problem is { UserAccumulators: { } gp, ItemAccumulators: { } gq, BiasAccumulators: { } gb } ? new AdagradSums(gp, gq, gb) : null,
        };

    /// <summary>Loads a checkpoint's parameters (and adagrad sums) into <paramref name="problem"/>; returns its completed epochs.</summary>
    private static int Resume(PairwiseSettings settings, InteractionMatrix train, PairwiseProblem problem, FactorModel checkpoint)
    {
        Checkpoints.CheckResumable(checkpoint, settings.Kind, settings.OptionsJson, settings.Epochs, "epochs", train);
        if (settings.Adagrad && checkpoint.Adagrad is null)
        {
            throw new ArgumentException("Cannot resume from this checkpoint: it holds no adagrad sums.", "resumeFrom");
        }
        checkpoint.UserFactors.CopyTo(problem.P, 0);
        checkpoint.ItemFactors.CopyTo(problem.Q, 0);
        checkpoint.ItemBias?.CopyTo(problem.ItemBias, 0);
        if (checkpoint.Adagrad is { } sums && problem is { UserAccumulators: { } gp, ItemAccumulators: { } gq, BiasAccumulators: { } gb })
        {
            sums.Users.CopyTo(gp, 0);
            sums.Items.CopyTo(gq, 0);
            sums.ItemBiases.CopyTo(gb, 0);
        }
        return checkpoint.CompletedEpochs;
    }

    private static float[] Normal(long length, float std, ulong seed, int side)
    {
        var f = new float[length];
        var rng = new XorShiftRandom(seed, (ulong)side);
        for (long n = 0; n < length; n++)
        {
            f[n] = rng.NextGaussian() * std;
        }
        return f;
    }
}
