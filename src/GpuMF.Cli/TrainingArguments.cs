using System.CommandLine;
using System.Globalization;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;
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
    private Option<string> _options = null!;
    private Option<string>? _validation;
    private Option<float?>? _validationFraction;
    private Option<ulong>? _validationSeed;
    private Option<int>? _earlyStopping;
    private Option<string>? _validationMetric;

    /// <summary>Adds <c>--model</c> to <paramref name="command"/>; <see cref="AddComputeOptions"/> adds the rest, where help should list them.</summary>
    /// <param name="command">The command that trains.</param>
    /// <param name="modelRequired">False for a command that may run without training (<c>evaluate --model-file</c>), which then checks <c>--model</c> itself.</param>
    public TrainingArguments(Command command, bool modelRequired = true)
    {
        Model = new Option<ModelFamily>("--model", "-m")
        {
            Description = $"the model: {ModelRegistry.Names("or")} (its options below)",
            HelpName = string.Join('|', ModelRegistry.All.Select(f => f.Name)),
            Required = modelRequired,
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
        _options = Opt.Text("--options", "FILE.json", "start from the model options in this JSON file (what gpumf tune --out writes, or a model's stored options); options given on the command line override it", false);
        _command.Options.Add(_options);
        Models = new ModelArguments(_command, ModelRegistry.All, "model options (--model M reads its own; another model's is an error):");
    }

    /// <summary>
    /// Adds <c>--validation FILE</c>, <c>--validation-fraction F</c>, <c>--validation-seed N</c>,
    /// <c>--early-stopping N</c> and <c>--validation-metric</c>, for the commands that train once (not tune, which
    /// carves its own validation rows).
    /// </summary>
    public void AddValidationOptions()
    {
        _validation = Opt.Text("--validation", "FILE", "validation rows, laid out as the training file: their metric is shown after every epoch (rows whose user or item training lacks are left out)", false);
        _validationFraction = Opt.OptionalFloat("--validation-fraction", "hold out this share of each user's training rows, in (0, 1), as validation rows instead (seeded by --validation-seed; a user with one row keeps it)");
        _validationSeed = Opt.ULong("--validation-seed", "seed of --validation-fraction's choice", 42);
        _earlyStopping = Opt.Int("--early-stopping", "stop after N epochs (als: iterations) without improvement of the validation metric and keep the best epoch's model; 0 trains every epoch", 0, 0, 10000);
        _validationMetric = MetricOption.Create("--validation-metric", "the metric --early-stopping watches (default: rmse for svd, p@10 for the others)");
        foreach (var option in new Option[] { _validation, _validationFraction, _validationSeed, _earlyStopping, _validationMetric })
        {
            _command.Options.Add(option);
        }
    }

    /// <summary>The chosen family with its options bound and checked, before any work.</summary>
    /// <exception cref="UsageException">An option is invalid, another family's, or <c>--device-warps</c> does not apply; or the validation options do not fit together or the model.</exception>
    public TrainingPlan Prepare(ParseResult parse)
    {
        var family = parse.GetValue(Model)!;
        var options = Models.Bind(family, parse, StartOptions(family, parse));
        int warps = parse.GetValue(_deviceWarps);
        if (warps > 0 && !family.LockFree)
        {
            throw new UsageException($"--device-warps applies to the lock-free SGD models ({string.Join(", ", ModelRegistry.All.Where(f => f.LockFree).Select(f => f.Name))}), not to {family.Name}.");
        }
        if (parse.Given(_weights))
        {
            throw new UsageException("--weights: no model takes sample weights. bpr and warp read every kept row as a positive of value 1; choose the positives with --min-value, or train als with --confidence linear|log to read the value column as counts.");
        }
        return new TrainingPlan(family, options, family.ToJson(options), warps, ReadsCounts(family, parse)) { EarlyStopping = EarlyStoppingOf(family, parse) };
    }

    /// <summary>
    /// For als at the default λ (neither <c>--reg</c> nor <c>--options</c> given), a line on standard error when the
    /// data's interactions per user lie outside 0.8–1.25 times those the default was chosen for, with the λ that
    /// <see cref="AlsOptions.SuggestedRegularization"/> scales to them.
    /// </summary>
    public void AdviseRegularization(ParseResult parse, TrainingPlan plan, InteractionMatrix train)
    {
        if (plan.Options is not AlsOptions { Regularization: var lambda } || lambda != AlsOptions.Defaults.Regularization
            || Models.Given(plan.Family, parse).Contains("reg") || parse.GetValue(_options) is not null || train.Count == 0)
        {
            return;
        }
        float suggested = AlsOptions.SuggestedRegularization(train);
        double ratio = suggested / lambda;
        if (ratio is < 0.8 or > 1.25)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"als: the default λ = {lambda:G} suits about {AlsOptions.DefaultsInteractionsPerUser:G} interactions per user; this data has {AlsOptions.DefaultsInteractionsPerUser * ratio:F1}: --reg {suggested:G} may suit it better (λ scales with them; gpumf tune searches λ with α)"));
        }
    }

    /// <summary>The options <c>--options</c> names, or null for the family's defaults.</summary>
    /// <exception cref="UsageException">The file is missing or not this family's options.</exception>
    private object? StartOptions(ModelFamily family, ParseResult parse)
    {
        if (parse.GetValue(_options) is not { } path)
        {
            return null;
        }
        if (!File.Exists(path))
        {
            throw new UsageException($"--options: {path} does not exist.");
        }
        try
        {
            return family.ReadOptions(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--options {path}: {e.Message}.");
        }
    }

    /// <summary>Early stopping as the validation options ask, checked against each other and the model; null for none.</summary>
    /// <exception cref="UsageException">They do not fit together or the model.</exception>
    private EarlyStopping? EarlyStoppingOf(ModelFamily family, ParseResult parse)
    {
        if (_earlyStopping is null)
        {
            return null;
        }
        bool file = parse.GetValue(_validation!) is not null;
        bool fraction = parse.GetValue(_validationFraction!) is not null;
        if (file && fraction)
        {
            throw new UsageException("--validation and --validation-fraction: give one source of validation rows, not both.");
        }
        if (parse.GetValue(_validationFraction!) is { } f && !(f > 0 && f < 1))
        {
            throw new UsageException($"--validation-fraction must be in (0, 1); got {f.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
        int patience = parse.GetValue(_earlyStopping);
        string? metricName = parse.GetValue(_validationMetric!);
        if ((patience > 0 || metricName is not null) && !file && !fraction)
        {
            throw new UsageException($"{(patience > 0 ? "--early-stopping" : "--validation-metric")} watches validation rows: give --validation FILE or --validation-fraction F.");
        }
        var metric = MetricOption.Read(parse, _validationMetric!, family);
        if (patience == 0 && metric is not null)
        {
            throw new UsageException("--validation-metric chooses what --early-stopping watches: give --early-stopping N too.");
        }
        return patience == 0 ? null : new EarlyStopping(patience) { Metric = metric };
    }

    /// <summary>
    /// The training rows and, when the validation options ask for them, the validation rows: <c>--validation-fraction</c>
    /// carves each user's share from <paramref name="table"/>; <c>--validation</c> reads a file with <paramref name="read"/>.
    /// </summary>
    public (RatingTable Fit, RatingTable? Held) Carve(ParseResult parse, RatingTable table, Func<string, RatingTable> read)
    {
        if (_validationFraction is not null && parse.GetValue(_validationFraction) is { } fraction)
        {
            return Splitter.PerUserFraction(table, fraction, parse.GetValue(_validationSeed!));
        }
        if (_validation is not null && parse.GetValue(_validation) is { } file)
        {
            return (table, read(file));
        }
        return (table, null);
    }

    /// <summary>The validation matrix in <paramref name="train"/>'s index space: the rows of <paramref name="held"/> whose user and item it has.</summary>
    /// <exception cref="UsageException">No validation row has a user and an item that training has.</exception>
    public static InteractionMatrix ValidationMatrix(RatingTable held, InteractionMatrix train)
    {
        var (validation, leftOut) = InteractionMatrix.Within(held, train.Users, train.Items);
        if (validation.Count == 0)
        {
            throw new UsageException("the validation rows hold no user and item pair that training has: give more validation rows or a larger --validation-fraction.");
        }
        Console.Error.WriteLine($"validation: {validation.Count:N0} rows{(leftOut > 0 ? $" ({leftOut:N0} left out: their user or item is not in training)" : "")}");
        return validation;
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

    /// <summary>
    /// Trains the plan's model on <paramref name="train"/>, across the ranks of <paramref name="communicator"/> when one
    /// is given (als only), with the features of <paramref name="features"/> in its index space (bpr and warp only).
    /// </summary>
    public static FactorModel Train(TrainingPlan plan, InteractionMatrix train, InteractionMatrix? validation, ComputeBackend backend, IProgress<EpochReport>? progress, CheckpointOptions? checkpoint, FactorModel? resumeFrom, CancellationToken cancellation, MpiCommunicator? communicator = null, (EntityFeatures? Users, EntityFeatures? Items) features = default) =>
        plan.Family.Train(plan.Options, new TrainingRequest(train, validation, backend, PairwiseProgress.Wrap(progress), cancellation, checkpoint, resumeFrom, plan.Warps)
        {
            EarlyStopping = plan.EarlyStopping,
            Communicator = communicator,
            UserFeatures = features.Users?.Known,
            ItemFeatures = features.Items?.Known,
        });
}

/// <summary>A model family with its options, as a command line set them.</summary>
/// <param name="Family">The family.</param>
/// <param name="Options">Its options record.</param>
/// <param name="OptionsJson">The options as JSON, as model files store them.</param>
/// <param name="Warps">Warps in flight on an ILGPU device; 0 for the default.</param>
/// <param name="Counts">True when the implicit model reads the value column as counts (als with <c>--confidence</c>); false when every kept row is a positive of value 1.</param>
internal sealed record TrainingPlan(ModelFamily Family, object Options, string OptionsJson, int Warps, bool Counts)
{
    /// <summary>Early stopping on the validation rows, or null (<c>--early-stopping</c> not given).</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>What the model does with the value column, as the JSON output says it: ratings, counts or binary.</summary>
    public string Values => !Family.TrainsOnPositives ? "ratings" : Counts ? "counts" : "binary";
}
