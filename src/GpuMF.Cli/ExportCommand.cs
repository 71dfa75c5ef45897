using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf export</c>: a model as NumPy files, factors and biases as float32, id maps as int64, beside a
/// small <c>model.json</c> naming them, so that Python loads a model with numpy alone. The files are written
/// into a staging folder inside the target and moved into place only once all are written, so that an
/// interrupted export leaves the files that were there.
/// </summary>
internal sealed class ExportCommand : CliCommand
{
    /// <summary>The description's name, which names the other files.</summary>
    private const string Manifest = "model.json";

    private readonly Option<string> _model;
    private readonly Option<string> _out;

    public ExportCommand()
        : base("export", "write a model's factors, biases and id maps as NumPy .npy files with a model.json naming them")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model file", true, "-m"));
        _out = Add(Opt.Text("--out", "DIR", "the folder to write into, made if missing (its parent must exist); files of an earlier export are replaced", true, "-o"));
    }

    public override string Notes => """
        in Python:  import json, numpy as np
                    m = json.load(open("DIR/model.json"))
                    a = {name: np.load(f"DIR/{file}") for name, file in m["files"].items()}
        then a["user_factors"][u] @ a["item_factors"].T (+ a["item_bias"] where there is one) scores user row u,
        whose id is a["user_ids"][u]; m["score"] says what the score is for the model's kind.
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string modelPath = parse.GetValue(_model)!;
        string folder = parse.GetValue(_out)!;
        OutputPaths.CheckDirectory(folder, "--out");
        var model = FactorModel.Load(modelPath);
        cancellation.ThrowIfCancellationRequested();
        var files = new Dictionary<string, Action<string>>
        {
            ["user_factors"] = path => NpyWriter.Write(path, model.UserFactors, model.Users.Count, model.Factors),
            ["item_factors"] = path => NpyWriter.Write(path, model.ItemFactors, model.Items.Count, model.Factors),
            ["user_ids"] = path => WriteIds(path, model.Users),
            ["item_ids"] = path => WriteIds(path, model.Items),
        };
        if (model.UserBias is { } userBias)
        {
            files["user_bias"] = path => NpyWriter.Write(path, userBias);
        }
        if (model.ItemBias is { } itemBias)
        {
            files["item_bias"] = path => NpyWriter.Write(path, itemBias);
        }
        foreach (var (side, features) in new[] { ("user", model.UserFeatures), ("item", model.ItemFeatures) })
        {
            if (features is null)
            {
                continue;
            }
            files[$"{side}_feature_names"] = path => NpyWriter.Write(path, features.Names.Names);
            files[$"{side}_feature_embeddings"] = path => NpyWriter.Write(path, features.Vectors, features.Names.Count, features.Factors);
            if (features.Biases is { } biases)
            {
                files[$"{side}_feature_bias"] = path => NpyWriter.Write(path, biases);
            }
        }
        // Relaxed escaping (JsonText.FileBytes): "+" or "@" spelt as \u002B would not read as the formula.
        var json = JsonText.FileBytes(Describe(model, files.Keys));

        bool made = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        string staging = Path.Combine(folder, $".gpumf-export-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var (name, write) in files)
            {
                cancellation.ThrowIfCancellationRequested();
                write(Path.Combine(staging, name + ".npy"));
            }
            AtomicFile.Write(Path.Combine(staging, Manifest), stream => stream.Write(json));
            cancellation.ThrowIfCancellationRequested();
            // The description last, so that a reader never finds it naming files not yet moved.
            foreach (string file in files.Keys.Select(name => name + ".npy").Append(Manifest))
            {
                File.Move(Path.Combine(staging, file), Path.Combine(folder, file), overwrite: true);
            }
        }
        catch
        {
            if (made)
            {
                Directory.Delete(folder, recursive: true);
            }
            throw;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        Console.Out.WriteLine($"wrote {folder}: {string.Join(", ", files.Keys.Select(name => name + ".npy").Append(Manifest))}");
        return 0;
    }

    /// <summary>Ids of the map's kind: int64, or NumPy unicode strings.</summary>
    private static void WriteIds(string path, IdMap ids)
    {
        if (ids.Kind == IdKind.Text)
        {
            NpyWriter.Write(path, ids.Names);
        }
        else
        {
            NpyWriter.Write(path, ids.ToArray());
        }
    }

    /// <summary>The content of model.json: the model's kind, shape and options, what its score is, and its files.</summary>
    private static JsonObject Describe(FactorModel model, IEnumerable<string> files)
    {
        string kind = ModelRegistry.Of(model.Kind).Name;
        string score = "user_factors[u] @ item_factors[i]" + (model.ItemBias is null ? "" : " + item_bias[i]");
        var result = new JsonObject
        {
            ["kind"] = kind,
            ["factors"] = model.Factors,
            ["users"] = model.Users.Count,
            ["items"] = model.Items.Count,
            ["user_id_type"] = model.Users.Kind == IdKind.Text ? "string" : "int64",
            ["item_id_type"] = model.Items.Kind == IdKind.Text ? "string" : "int64",
            ["score"] = score,
        };
        if (model.UserBias is not null)
        {
            // SVD ranks by the score, which leaves out what is the same for every item of a user.
            result["rating"] = $"global_mean + user_bias[u] + {score}";
            result["global_mean"] = model.GlobalMean;
        }
        foreach (var (side, features) in new[] { ("user", model.UserFeatures), ("item", model.ItemFeatures) })
        {
            if (features is not null)
            {
                // A new entity described by features: the weights scaled to sum 1 first when the model was trained so.
                string bias = features.Biases is null ? "" : $", bias = w @ {side}_feature_bias";
                result[$"{side}_from_features"] = $"w @ {side}_feature_embeddings{bias} (w: one weight per {side}_feature_names entry{(features.Normalized ? ", scaled to sum 1" : "")})";
            }
        }
        result["options"] = JsonText.SnakeCase(model.OptionsJson);
        result["files"] = new JsonObject(files.Select(name => KeyValuePair.Create(name, (JsonNode?)JsonValue.Create(name + ".npy"))));
        return result;
    }
}
