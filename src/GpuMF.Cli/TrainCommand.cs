using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary><c>gpumf train</c>: trains a model on a file and saves it, optionally checkpointing and resuming.</summary>
internal sealed class TrainCommand : CliCommand
{
    private readonly TrainingArguments _training;
    private readonly Option<string> _data;
    private readonly Option<string> _out;
    private readonly Option<int> _checkpointEvery;
    private readonly Option<bool> _resume;
    private readonly Option<bool> _json;
    private readonly DataArguments _dataArguments;
    private readonly FeatureArguments _features;

    public TrainCommand()
        : base("train", "train a model on a ratings or interactions file and save it")
    {
        _training = new TrainingArguments(Command);
        _data = Add(Opt.Text("--data", "FILE", "ratings (svd) or interactions (als, bpr, warp): user, item, value a line; the implicit models also read user, item lines", true, "-d"));
        _out = Add(Opt.Text("--out", "MODEL.gpumf", "the model file to write, in a folder that exists; a file there is replaced only once training succeeded", true, "-o"));
        _checkpointEvery = Add(Opt.Int("--checkpoint-every", "write OUT.ckpt after every N epochs (als: iterations); 0 writes none", 0, 0, 1_000_000));
        _resume = Add(Opt.Flag("--resume", "continue from OUT.ckpt if it is there (same data and options), else start fresh"));
        _json = Add(Opt.Flag("--json", "print one JSON object (counts, timings, options) on stdout instead of the progress bar and 'wrote'"));
        _training.AddComputeOptions();
        _training.AddValidationOptions();
        _dataArguments = new DataArguments(Command, models: true);
        _features = new FeatureArguments(Command);
        Models = _training.Models;
    }

    public override string Notes => $"""
        checkpoints: --checkpoint-every N writes MODEL.gpumf.ckpt after every N epochs (als: iterations); --resume
        continues from it (same data and options; on --backend cpu the model equals that of an uninterrupted run
        with the same --threads). The checkpoint is deleted once the model is written.

        {ValueNotes.Help}
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string data = parse.GetValue(_data)!;
        string output = parse.GetValue(_out)!;
        bool json = parse.GetValue(_json);
        OutputPaths.CheckFile(output, "--out");
        OutputPaths.Distinct(1, ("--out", output), ("--data", data));
        var plan = _training.Prepare(parse);
        var family = plan.Family;
        _dataArguments.Check(parse, family, data, "--data");
        _features.Check(parse, family);
        if (_features.Given(parse) && (parse.GetValue(_checkpointEvery) > 0 || parse.GetValue(_resume)))
        {
            throw new UsageException("--checkpoint-every and --resume are not available with features: a checkpoint would have to hold the feature embeddings' training state, which model files do not keep.");
        }
        var mpi = MpiSession.Start(family, parse.GetValue(_training.Backends.Backend)!);
        if (mpi is not null && _features.Given(parse))
        {
            throw new UsageException("under mpirun, bpr and warp train without features: feature rows are shared by every rank's users and items. Train with features in one process.");
        }
        var (checkpoint, resumeFrom) = Checkpoint(parse, output, family);
        if (mpi is not null)
        {
            mpi.RequireSameInputs(parse, plan.OptionsJson, resumeFrom is null ? null : checkpoint!.Path);
            // Rank 0 alone writes checkpoints, as it alone writes the model.
            checkpoint = mpi.IsRoot ? checkpoint : null;
        }
        using var backend = _training.Open(parse, plan);
        BackendArguments.RequireOneDeviceForFeatures(backend, _features.Given(parse));

        var clock = Stopwatch.StartNew();
        var (matrix, validation, rowsRead, rowsMerged) = ReadMatrix(parse, data, plan, cancellation);
        // The table read and the scratch of building the matrix are garbage now; returning them before training
        // allocates its own state keeps the peak to the matrix, the model and the training state.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        double readSeconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"{data}: {matrix.Count:N0} interactions, {matrix.UserCount:N0} users × {matrix.ItemCount:N0} items; training {family.Name} on {BackendArguments.Describe(backend)}; {ValueNotes.Describe(plan)}");
        _training.AdviseRegularization(parse, plan, matrix);
        var features = _features.Read(parse, matrix, cancellation);

        clock.Restart();
        FactorModel model;
        try
        {
            model = TrainingArguments.Train(plan, matrix, validation, backend, json ? null : new ProgressBar(), checkpoint, resumeFrom, cancellation, mpi?.Communicator, features);
        }
        catch (ArgumentException e) when (e.ParamName == "resumeFrom")
        {
            throw new ArgumentException($"{e.Message.Split(" (Parameter", 2)[0].TrimEnd('.')}; delete {checkpoint!.Path}, or drop --resume, to start fresh.", e);
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"trained in {trainSeconds:F2} s");
        if (mpi is { IsRoot: false })
        {
            return 0;
        }

        model = FeatureArguments.AddFeatureOnly(model, features.Users, features.Items);
        clock.Restart();
        AtomicFile.Write(output, stream => ModelFile.WriteTo(model, new CancellableStream(stream, cancellation)));
        // The checkpoint goes only once the finished model is safely in place.
        File.Delete(output + ".ckpt");
        double writeSeconds = clock.Elapsed.TotalSeconds;
        if (!json)
        {
            Console.Out.WriteLine($"wrote {output}");
            return 0;
        }
        var report = new JsonObject
        {
            ["model"] = family.Name,
            ["backend"] = BackendArguments.Name(backend.Kind),
            ["device"] = backend.DeviceName,
            ["data"] = data,
            ["out"] = output,
            ["options"] = JsonText.SnakeCase(plan.OptionsJson),
            ["values"] = plan.Values,
            ["rows_read"] = rowsRead,
            ["rows_merged"] = rowsMerged,
            ["interactions"] = matrix.Count,
            ["users"] = matrix.UserCount,
            ["items"] = matrix.ItemCount,
            ["resumed_after"] = resumeFrom?.CompletedEpochs ?? 0,
            ["read_seconds"] = Math.Round(readSeconds, 4),
            ["train_seconds"] = Math.Round(trainSeconds, 4),
            ["write_seconds"] = Math.Round(writeSeconds, 4),
        };
        foreach (var (side, entities) in new[] { ("user", features.Users), ("item", features.Items) })
        {
            if (entities is not null)
            {
                report[$"{side}_features"] = entities.Names.Count;
                report[$"feature_only_{side}s"] = entities.ColdIds.Count;
            }
        }
        if (mpi is not null)
        {
            report["ranks"] = mpi.Communicator.Size;
        }
        Console.Out.WriteLine(report.ToJsonString());
        return 0;
    }

    /// <summary>The training matrix and the counts of rows read and merged; the table read is not kept.</summary>
    private (InteractionMatrix Matrix, InteractionMatrix? Validation, int RowsRead, int Merged) ReadMatrix(ParseResult parse, string data, TrainingPlan plan, CancellationToken cancellation)
    {
        bool positives = plan.Family.TrainsOnPositives;
        var loaded = _dataArguments.Read(parse, data, "--data", positives, valueOptional: positives, cancellation, counts: plan.Counts);
        var (fit, held) = _training.Carve(parse, loaded.Table, file => _dataArguments.Read(parse, file, "--validation", positives, valueOptional: positives, cancellation, (loaded.Table.UserKind, loaded.Table.ItemKind), counts: plan.Counts).Table);
        var matrix = InteractionMatrix.Build(fit, DuplicatePolicy.Reject);
        return (matrix, held is null ? null : TrainingArguments.ValidationMatrix(held, matrix), loaded.RowsRead, loaded.Merged);
    }

    /// <summary>
    /// The checkpoint to write (<c>OUT.ckpt</c>, every <c>--checkpoint-every</c> epochs) and the one to resume
    /// from: with <c>--resume</c>, the one at OUT.ckpt if there is one (else the run starts fresh, and says so).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is not a readable model; the message says how to start fresh.</exception>
    private (CheckpointOptions? Options, FactorModel? ResumeFrom) Checkpoint(ParseResult parse, string output, ModelFamily family)
    {
        int every = parse.GetValue(_checkpointEvery);
        bool resume = parse.GetValue(_resume);
        string path = output + ".ckpt";
        var options = every > 0 || resume ? new CheckpointOptions(path, every == 0 ? int.MaxValue : every) : null;
        if (!resume)
        {
            return (options, null);
        }
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"--resume: no checkpoint at {path}; starting fresh");
            return (options, null);
        }
        FactorModel checkpoint;
        try
        {
            checkpoint = FactorModel.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message.TrimEnd('.')}. Delete {path}, or drop --resume, to start fresh.", e);
        }
        Console.Error.WriteLine($"resuming from {path} after {checkpoint.CompletedEpochs} {family.EpochUnit}");
        return (options, checkpoint);
    }
}
