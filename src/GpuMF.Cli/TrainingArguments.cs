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
    /// <summary>The model option whose presence makes the value column counts.</summary>
    private const string ConfidenceOption = "confidence";

    private readonly Command _command;
    private Option<int> _deviceWarps = null!;
    private Option<bool> _weights = null!;

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
        _weights = Opt.Flag("--weights", "not taken: bpr and warp have no sample weights (every positive counts once) and als weighs by --confidence; given, it stops with what to use instead");
        _command.Options.Add(_weights);
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
        if (parse.Given(_weights))
        {
            throw new UsageException("--weights: no model takes sample weights. bpr and warp read every kept row as a positive of value 1; choose the positives with --min-value, or train als with --confidence linear|log to read the value column as counts.");
        }
        return new TrainingPlan(family, options, family.ToJson(options), warps, ReadsCounts(family, parse));
    }

    /// <summary>
    /// The value column is read as counts only when the user asked for a confidence scaling (<c>--confidence</c>
    /// with als): without it every kept row stays a positive of value 1, so that the figures of binary runs hold.
    /// </summary>
    private bool ReadsCounts(ModelFamily family, ParseResult parse) =>
        family.Options.Any(o => o.Name == ConfidenceOption)
        && _command.Options.FirstOrDefault(o => o.Name == "--" + ConfidenceOption) is { } given
        && parse.Given(given);

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
/// <param name="Counts">True when the implicit model reads the value column as counts (als with <c>--confidence</c>); false when every kept row is a positive of value 1.</param>
internal sealed record TrainingPlan(ModelFamily Family, object Options, string OptionsJson, int Warps, bool Counts)
{
    /// <summary>What the model does with the value column, as the JSON output says it: ratings, counts or binary.</summary>
    public string Values => !Family.TrainsOnPositives ? "ratings" : Counts ? "counts" : "binary";
}
