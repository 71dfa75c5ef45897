using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary><c>gpumf update</c>: a saved model grown by new interactions (new users and items included), without a full retrain.</summary>
internal sealed class UpdateCommand : CliCommand
{
    private readonly Option<string> _model;
    private readonly Option<string> _data;
    private readonly Option<string> _out;
    private readonly Option<int> _epochs;
    private readonly Option<int> _sweeps;
    private readonly Option<bool> _json;
    private readonly BackendArguments _backend;
    private readonly DataArguments _dataArguments;

    public UpdateCommand()
        : base("update", "add new interactions, users and items to a saved model without a full retrain")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model to update; it is read, never written", true, "-m"));
        _data = Add(Opt.Text("--data", "FILE", "the new interactions: ratings (svd) or positives (als, bpr, warp), as train reads them", true, "-d"));
        _out = Add(Opt.Text("--out", "MODEL.gpumf", "the updated model, in a folder that exists; a file there is replaced only once the update succeeded", true, "-o"));
        _epochs = Add(Opt.Int("--epochs", "svd, bpr, warp: epochs of the model's own loss over the new interactions", UpdateOptions.Defaults.Epochs, 1, 1000));
        _sweeps = Add(Opt.Int("--full-sweeps", "als: full iterations over every row after the exact re-solve of the touched rows", UpdateOptions.Defaults.FullSweeps, 0, 1000));
        _json = Add(Opt.Flag("--json", "print one JSON object (counts, timings) on stdout instead of 'wrote'"));
        _backend = new BackendArguments(Command);
        _dataArguments = new DataArguments(Command, models: true);
    }

    public override string Notes => """
        als re-solves exactly every user with new interactions, every item they touch, then those users again;
        svd runs --epochs epochs over the new ratings; bpr and warp run --epochs epochs over the new positives with
        trained positives replayed. New users and items join the model; the old model file is never touched.
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string modelPath = parse.GetValue(_model)!;
        string data = parse.GetValue(_data)!;
        string output = parse.GetValue(_out)!;
        OutputPaths.CheckFile(output, "--out");
        OutputPaths.Distinct(1, ("--out", output), ("--model", modelPath), ("--data", data));
        var clock = Stopwatch.StartNew();
        var model = FactorModel.Load(modelPath);
        var family = ModelRegistry.Of(model.Kind);
        _dataArguments.Check(parse, family, data, "--data");
        var loaded = _dataArguments.Read(parse, data, "--data", family.TrainsOnPositives, valueOptional: family.TrainsOnPositives, cancellation);
        CheckIdKinds(loaded.Table, model, data);
        using var backend = _backend.Open(parse);
        double readSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var options = UpdateOptions.Defaults with { Epochs = parse.GetValue(_epochs), FullSweeps = parse.GetValue(_sweeps) };
        var updated = model.Update(loaded.Table, options, backend);
        double updateSeconds = clock.Elapsed.TotalSeconds;
        cancellation.ThrowIfCancellationRequested();
        Console.Error.WriteLine($"{data}: {loaded.Table.Count:N0} interactions; {family.Name} model updated in {updateSeconds:F2} s: {updated.Users.Count - model.Users.Count:N0} new users, {updated.Items.Count - model.Items.Count:N0} new items");
        AtomicFile.Write(output, stream => ModelFile.WriteTo(updated, new CancellableStream(stream, cancellation)));
        if (!parse.GetValue(_json))
        {
            Console.Out.WriteLine($"wrote {output}");
            return 0;
        }
        Console.Out.WriteLine(new JsonObject
        {
            ["model"] = family.Name,
            ["backend"] = BackendArguments.Name(backend.Kind),
            ["rows_read"] = loaded.RowsRead,
            ["rows_merged"] = loaded.Merged,
            ["interactions"] = loaded.Table.Count,
            ["new_users"] = updated.Users.Count - model.Users.Count,
            ["new_items"] = updated.Items.Count - model.Items.Count,
            ["users"] = updated.Users.Count,
            ["items"] = updated.Items.Count,
            ["read_seconds"] = Math.Round(readSeconds, 4),
            ["update_seconds"] = Math.Round(updateSeconds, 4),
        }.ToJsonString());
        return 0;
    }

    /// <summary>
    /// Ids of the other kind than the model's can only be a file read the wrong way (digits-only string ids read
    /// as integers, say): refused before any work, in one line naming the file and both kinds.
    /// </summary>
    /// <exception cref="DataFormatException">A column is of the other kind.</exception>
    private static void CheckIdKinds(RatingTable table, FactorModel model, string data)
    {
        foreach (var (what, given, wanted) in new[] { ("user", table.UserKind, model.Users.Kind), ("item", table.ItemKind, model.Items.Kind) })
        {
            if (given != wanted)
            {
                string Kinds(IdKind k) => k == IdKind.Text ? "strings" : "integers";
                throw new DataFormatException(data, 0, $"its {what} ids are {Kinds(given)}, but the model's are {Kinds(wanted)}: read the file with --id-type {(wanted == IdKind.Text ? "string" : "int")}; the model was left as it was.");
            }
        }
    }
}
