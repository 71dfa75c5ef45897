using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>Reads each model's options from the command line and trains it; the one place that knows the model names.</summary>
internal static class ModelSetup
{
    /// <summary>The family named by <c>--model</c>.</summary>
    public static ModelFamily Family(CommandLine cl)
    {
        try
        {
            return ModelRegistry.Parse(cl.Require("model"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Reads <paramref name="family"/>'s options from the command line, validated; a bad value is a usage error naming the option.</summary>
    public static object Options(ModelFamily family, CommandLine cl)
    {
        try
        {
            return family.Bind(cl.Value, cl.Has);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Reads the chosen model's options (so that unknown options are caught before any work starts).</summary>
    public static Func<InteractionMatrix, InteractionMatrix?, ComputeBackend, IProgress<EpochReport>?, CancellationToken, FactorModel> Prepare(ModelFamily family, CommandLine cl, out string optionsJson)
    {
        int warps = cl.Int("device-warps", 0, 0);
        if (warps > 0 && !family.LockFree)
        {
            throw new UsageException($"--device-warps applies to the lock-free SGD models ({string.Join(", ", ModelRegistry.All.Where(f => f.LockFree).Select(f => f.Name))}), not to {family.Name}.");
        }
        ComputeBackend Checked(ComputeBackend backend) => warps == 0 || backend.IsIlgpu
            ? backend
            : throw new UsageException("--device-warps applies to ILGPU backends (cuda, opencl, ilgpu-cpu); the cpu backend takes --threads.");
        var checkpoint = Checkpoint(cl);
        var options = Options(family, cl);
        optionsJson = family.ToJson(options);
        return (train, valid, backend, progress, ct) => family.Train(
            options,
            new TrainingRequest(train, valid, Checked(backend), PairwiseProgress.Wrap(progress), ct, checkpoint?.Options, Resume(checkpoint, family.EpochUnit), warps));
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
