using System.CommandLine;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// What <c>train</c> and <c>evaluate</c> share: <c>--model</c> (a family of the registry), the families' own
/// options, the backend and <c>--device-warps</c>. The one place that turns a command line into a training run.
/// </summary>
internal sealed class TrainingArguments
{
    private readonly Command _command;
    private Option<int> _deviceWarps = null!;

    /// <summary>Adds <c>--model</c> to <paramref name="command"/>; <see cref="AddComputeOptions"/> adds the rest, where help should list them.</summary>
    public TrainingArguments(Command command)
    {
        Model = new Option<ModelFamily>("--model", "-m")
        {
            Description = $"the model: {ModelRegistry.Names("or")} (its options below)",
            HelpName = string.Join('|', ModelRegistry.All.Select(f => f.Name)),
            Required = true,
            CustomParser = r =>
            {
                try
                {
                    return ModelRegistry.Parse(r.Tokens[0].Value);
                }
                catch (ArgumentException e)
                {
                    r.AddError(e.Message);
                    return ModelRegistry.All[0];
                }
            },
        };
        command.Options.Add(Model);
        _command = command;
    }

    /// <summary><c>--model</c>.</summary>
    public Option<ModelFamily> Model { get; }

    /// <summary>The backend options, once added.</summary>
    public BackendArguments Backends { get; private set; } = null!;

    /// <summary>The model families' options, once added.</summary>
    public ModelArguments Models { get; private set; } = null!;

    /// <summary>Adds the backend options, <c>--device-warps</c> and (hidden; help lists them by family) the model options.</summary>
    public void AddComputeOptions()
    {
        Backends = new BackendArguments(_command);
        string lockFree = string.Join(", ", ModelRegistry.All.Where(f => f.LockFree).Select(f => f.Name));
        _deviceWarps = Opt.Int("--device-warps", $"{lockFree} on an ILGPU backend: warps in flight (0: one per 8,192 ratings (svd) or 1,024 positives (bpr, warp), at most what fills the device)", 0, 0, 1 << 20);
        _command.Options.Add(_deviceWarps);
        Models = new ModelArguments(_command, ModelRegistry.All, "model options (--model M reads its own; another model's is an error):");
    }

    /// <summary>The chosen family with its options bound and checked, before any work.</summary>
    /// <exception cref="UsageException">An option is invalid, another family's, or <c>--device-warps</c> does not apply.</exception>
    public TrainingPlan Prepare(ParseResult parse)
    {
        var family = parse.GetValue(Model)!;
        var options = Models.Bind(family, parse);
        int warps = parse.GetValue(_deviceWarps);
        if (warps > 0 && !family.LockFree)
        {
            throw new UsageException($"--device-warps applies to the lock-free SGD models ({string.Join(", ", ModelRegistry.All.Where(f => f.LockFree).Select(f => f.Name))}), not to {family.Name}.");
        }
        return new TrainingPlan(family, options, family.ToJson(options), warps);
    }

    /// <summary>Opens the backend and checks that the plan can run on it.</summary>
    /// <exception cref="UsageException"><c>--device-warps</c> was given for the managed CPU backend.</exception>
    public ComputeBackend Open(ParseResult parse, TrainingPlan plan)
    {
        var backend = Backends.Open(parse);
        if (plan.Warps > 0 && !backend.IsIlgpu)
        {
            backend.Dispose();
            throw new UsageException("--device-warps applies to ILGPU backends (cuda, opencl, ilgpu-cpu); the cpu backend takes --threads.");
        }
        return backend;
    }

    /// <summary>Trains the plan's model on <paramref name="train"/>.</summary>
    public static FactorModel Train(TrainingPlan plan, InteractionMatrix train, InteractionMatrix? validation, ComputeBackend backend, IProgress<EpochReport>? progress, CheckpointOptions? checkpoint, FactorModel? resumeFrom, CancellationToken cancellation) =>
        plan.Family.Train(plan.Options, new TrainingRequest(train, validation, backend, PairwiseProgress.Wrap(progress), cancellation, checkpoint, resumeFrom, plan.Warps));
}

/// <summary>A model family with its options, as a command line set them.</summary>
/// <param name="Family">The family.</param>
/// <param name="Options">Its options record.</param>
/// <param name="OptionsJson">The options as JSON, as model files store them.</param>
/// <param name="Warps">Warps in flight on an ILGPU device; 0 for the default.</param>
internal sealed record TrainingPlan(ModelFamily Family, object Options, string OptionsJson, int Warps);
