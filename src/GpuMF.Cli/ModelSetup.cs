using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>Reads each model's options from the command line and trains it; the one place that knows the model names.</summary>
internal static class ModelSetup
{
    public static ModelKind ParseKind(string name) => name.ToLowerInvariant() switch
    {
        "svd" => ModelKind.Svd,
        "als" => ModelKind.Als,
        "bpr" => ModelKind.Bpr,
        "warp" => ModelKind.Warp,
        _ => throw new UsageException($"unknown model '{name}': expected svd, als, bpr or warp."),
    };

    /// <summary>True for the models trained on implicit positives (every row a positive of value 1).</summary>
    public static bool IsImplicit(ModelKind kind) => kind != ModelKind.Svd;

    public static SvdOptions Svd(CommandLine cl)
    {
        var d = SvdOptions.Defaults;
        return new SvdOptions
        {
            Factors = cl.Int("factors", d.Factors),
            Epochs = cl.Int("epochs", d.Epochs),
            LearningRate = cl.Float("lr", d.LearningRate),
            LearningRateDecay = cl.Float("lr-decay", d.LearningRateDecay),
            Regularization = cl.Float("reg", d.Regularization),
            BiasRegularization = cl.Float("bias-reg", d.BiasRegularization),
            InitStdDev = cl.Float("init-std", d.InitStdDev),
            Seed = cl.ULong("seed", d.Seed),
        };
    }

    public static AlsOptions Als(CommandLine cl)
    {
        var d = AlsOptions.Defaults;
        return new AlsOptions
        {
            Factors = cl.Int("factors", d.Factors),
            Iterations = cl.Int("iterations", d.Iterations),
            Regularization = cl.Float("reg", d.Regularization),
            Alpha = cl.Float("alpha", d.Alpha),
            Confidence = cl.Get("confidence") switch
            {
                null => d.Confidence,
                "linear" => ConfidenceScaling.Linear,
                "log" => ConfidenceScaling.Log,
                var c => throw new UsageException($"--confidence must be linear or log; got '{c}'."),
            },
            Epsilon = cl.Float("epsilon", d.Epsilon),
            Solver = cl.Get("solver") switch
            {
                null => d.Solver,
                "cg" => AlsSolver.ConjugateGradient,
                "cholesky" => AlsSolver.Cholesky,
                var v => throw new UsageException($"--solver must be cg or cholesky; got '{v}'."),
            },
            CgSteps = cl.Int("cg-steps", d.CgSteps),
            InitStdDev = cl.Float("init-std", d.InitStdDev),
            Seed = cl.ULong("seed", d.Seed),
            ComputeLoss = cl.Flag("loss"),
        };
    }

    public static BprOptions Bpr(CommandLine cl)
    {
        var d = BprOptions.Defaults;
        return new BprOptions
        {
            Factors = cl.Int("factors", d.Factors),
            Epochs = cl.Int("epochs", d.Epochs),
            LearningRate = cl.Float("lr", d.LearningRate),
            Schedule = Schedule(cl, d.Schedule),
            LearningRateDecay = cl.Float("lr-decay", d.LearningRateDecay),
            Regularization = cl.Float("reg", d.Regularization),
            ItemBias = cl.Flag("item-bias", d.ItemBias),
            RejectObservedNegatives = cl.Flag("reject-observed", d.RejectObservedNegatives),
            InitStdDev = cl.Float("init-std", d.InitStdDev),
            Seed = cl.ULong("seed", d.Seed),
        };
    }

    public static WarpOptions Warp(CommandLine cl)
    {
        var d = WarpOptions.Defaults;
        return new WarpOptions
        {
            Factors = cl.Int("factors", d.Factors),
            Epochs = cl.Int("epochs", d.Epochs),
            LearningRate = cl.Float("lr", d.LearningRate),
            Schedule = Schedule(cl, d.Schedule),
            LearningRateDecay = cl.Float("lr-decay", d.LearningRateDecay),
            Regularization = cl.Float("reg", d.Regularization),
            ItemBias = cl.Flag("item-bias", d.ItemBias),
            MaxSampled = cl.Int("max-sampled", d.MaxSampled),
            InitStdDev = cl.Float("init-std", d.InitStdDev),
            Seed = cl.ULong("seed", d.Seed),
        };
    }

    /// <summary>Reads the chosen model's options (so that unknown options are caught before any work starts).</summary>
    public static Func<InteractionMatrix, InteractionMatrix?, ComputeBackend, IProgress<EpochReport>?, CancellationToken, FactorModel> Prepare(ModelKind kind, CommandLine cl, out string optionsJson)
    {
        int warps = cl.Int("device-warps", 0, 0);
        if (warps > 0 && kind == ModelKind.Als)
        {
            throw new UsageException("--device-warps applies to the lock-free SGD models (svd, bpr, warp), not to als.");
        }
        ComputeBackend Checked(ComputeBackend backend) => warps == 0 || backend.IsIlgpu
            ? backend
            : throw new UsageException("--device-warps applies to ILGPU backends (cuda, opencl, ilgpu-cpu); the cpu backend takes --threads.");
        var checkpoint = Checkpoint(cl);
        switch (kind)
        {
            case ModelKind.Svd:
                var svd = Svd(cl);
                svd.Validate();
                optionsJson = svd.ToJson();
                return (train, valid, backend, progress, ct) =>
                    new SvdTrainer(svd, Checked(backend)) { IlgpuWarps = warps, Checkpoint = checkpoint?.Options }.Fit(train, valid, progress, ct, Resume(checkpoint, "epochs"));
            case ModelKind.Als:
                var als = Als(cl);
                als.Validate();
                optionsJson = als.ToJson();
                return (train, _, backend, progress, ct) =>
                    new AlsTrainer(als, backend) { Checkpoint = checkpoint?.Options }.Fit(train, progress, ct, Resume(checkpoint, "iterations"));
            case ModelKind.Bpr:
                var bpr = Bpr(cl);
                bpr.Validate();
                optionsJson = bpr.ToJson();
                return (train, valid, backend, progress, ct) =>
                    new BprTrainer(bpr, Checked(backend)) { IlgpuWarps = warps, Checkpoint = checkpoint?.Options }.Fit(train, valid, PairwiseProgress.Wrap(progress), ct, Resume(checkpoint, "epochs"));
            case ModelKind.Warp:
                var warp = Warp(cl);
                warp.Validate();
                optionsJson = warp.ToJson();
                return (train, valid, backend, progress, ct) =>
                    new WarpTrainer(warp, Checked(backend)) { IlgpuWarps = warps, Checkpoint = checkpoint?.Options }.Fit(train, valid, PairwiseProgress.Wrap(progress), ct, Resume(checkpoint, "epochs"));
            default:
                throw new UsageException($"model '{kind}' cannot be trained by this build.");
        }
    }

    private static RatingFileFormat WithRange(RatingFileFormat format, string range)
    {
        string[] parts = range.Split("..");
        if (parts.Length == 2
            && float.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float min)
            && float.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float max)
            && min <= max)
        {
            return format with { MinValue = min, MaxValue = max };
        }
        throw new UsageException($"--value-range must look like 1..5; got '{range}'.");
    }

    /// <summary>
    /// <c>--checkpoint-every N</c> writes <c>OUT.ckpt</c> every N epochs (ALS: iterations); <c>--resume</c> continues
    /// from it when it exists. Only <c>train</c> has an output to name the checkpoint after.
    /// </summary>
    private static (CheckpointOptions Options, bool Resume)? Checkpoint(CommandLine cl)
    {
        int every = cl.Int("checkpoint-every", 0, 0);
        bool resume = cl.Flag("resume");
        if (every == 0 && !resume)
        {
            return null;
        }
        string output = cl.Get("out") ?? throw new UsageException("--checkpoint-every and --resume need --out (the checkpoint is OUT.ckpt).");
        return (new CheckpointOptions(output + ".ckpt", every == 0 ? int.MaxValue : every), resume);
    }

    /// <summary>The checkpoint to continue from: the one at OUT.ckpt when --resume is given and it exists, else none (a fresh start).</summary>
    private static FactorModel? Resume((CheckpointOptions Options, bool Resume)? checkpoint, string unit)
    {
        if (checkpoint is not { Resume: true } c || !File.Exists(c.Options.Path))
        {
            return null;
        }
        var model = FactorModel.Load(c.Options.Path);
        Console.Error.WriteLine($"resuming from {c.Options.Path} after {model.CompletedEpochs} {unit}");
        return model;
    }

    private static LearningRateSchedule Schedule(CommandLine cl, LearningRateSchedule fallback) => cl.Get("schedule")?.ToLowerInvariant() switch
    {
        null => fallback,
        "adagrad" => LearningRateSchedule.Adagrad,
        "decay" or "constant" => LearningRateSchedule.ConstantWithDecay,
        var other => throw new UsageException($"--schedule must be adagrad or decay; got '{other}'."),
    };

    public static ComputeBackend OpenBackend(CommandLine cl) =>
        ComputeBackend.Create(ComputeBackend.Parse(cl.Get("backend") ?? "auto"), cl.Int("device", 0, 0), cl.Int("threads", 0, 0, 1024));

    /// <summary>Reads a ratings file; for implicit models every row becomes a positive of value 1.</summary>
    public static RatingTable ReadData(string path, CommandLine cl, bool asPositives)
    {
        var format = cl.Get("format") is { } f ? RatingFileFormat.Parse(f) : RatingFileFormat.FromFileName(path);
        if (cl.Get("value-range") is { } range)
        {
            format = WithRange(format, range);
        }
        var table = RatingFileReader.Read(path, format);
        if (!asPositives)
        {
            return table;
        }
        return table.Positives(cl.Float("min-value", float.MinValue));
    }
}
