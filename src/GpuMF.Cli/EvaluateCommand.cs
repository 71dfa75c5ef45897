using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf evaluate</c>: trains on one file and measures the model on another, or measures a saved model
/// (<c>--model-file</c>), as a table or one JSON object.
/// </summary>
internal sealed class EvaluateCommand : CliCommand
{
    private readonly TrainingArguments _training;
    private readonly Option<string> _modelFile;
    private readonly Option<string> _train;
    private readonly Option<string> _test;
    private readonly Option<int> _k;
    private readonly Option<bool> _json;
    private readonly DataArguments _data;
    private readonly FeatureArguments _features;
    private readonly Option<string> _coldStart;

    public EvaluateCommand()
        : base("evaluate", "train on one file and measure the model on a held-out one, or measure a saved model (RMSE for svd, ranking metrics at K for the others)")
    {
        _training = new TrainingArguments(Command, modelRequired: false);
        _modelFile = Add(Opt.Text("--model-file", "MODEL.gpumf", "measure this saved model (an updated one, say) instead of training: give --test, and --train only for svd's clip range", false));
        _train = Add(Opt.Text("--train", "FILE", "the training rows, laid out as for train --data (required unless --model-file)", false));
        _test = Add(Opt.Text("--test", "FILE", "the held-out rows; users and items only they hold are scored from untrained factors, and counted", true));
        _k = Add(Opt.Int("--k", "list length of the ranking metrics (als, bpr, warp)", 10, 1, 10000));
        _json = Add(Opt.Flag("--json", "print one JSON object (metrics, counts, timings, options) instead of a table"));
        _training.AddComputeOptions();
        _training.AddValidationOptions();
        _data = new DataArguments(Command, models: true);
        _features = new FeatureArguments(Command);
        _coldStart = Add(Opt.Choice("--cold-start", "judge on entities training never saw, described by their features: items (each user ranks only the test items absent from training, from --item-features) or users (the test users absent from training rank every item, from --user-features)", ["items", "users"], null));
        Models = _training.Models;
    }

    public override string Notes => $"""
        rmse_clipped (svd) clips each prediction to --value-range when it is given, else to the smallest and
        largest rating of --train (clip_range_from says which); rmse and mae are unclipped.

        {ValueNotes.Help}
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        if (parse.GetValue(_modelFile) is { } modelFile)
        {
            return RunSaved(parse, modelFile, cancellation);
        }
        if (!parse.Given(_training.Model))
        {
            throw new UsageException("evaluate: give --model M to train and measure, or --model-file M.gpumf to measure a saved model.");
        }
        string trainPath = parse.GetValue(_train) ?? throw new UsageException("evaluate --model: give --train FILE, the rows to train on.");
        string testPath = parse.GetValue(_test)!;
        bool json = parse.GetValue(_json);
        int k = parse.GetValue(_k);
        var plan = _training.Prepare(parse);
        bool positives = plan.Family.TrainsOnPositives;
        _features.Check(parse, plan.Family);
        string? coldStart = parse.GetValue(_coldStart);
        if (coldStart is not null && !_features.Given(parse, users: coldStart == "users"))
        {
            throw new UsageException($"--cold-start {coldStart} ranks {coldStart} that training never saw from their features alone: give --{coldStart[..^1]}-features FILE.");
        }
        _data.Check(parse, plan.Family, trainPath, "--train");
        _data.Check(parse, plan.Family, testPath, "--test");
        using var backend = _training.Open(parse, plan);
        BackendArguments.RequireOneDeviceForFeatures(backend, _features.Given(parse));
        var trainTable = _data.Read(parse, trainPath, "--train", positives, valueOptional: positives, cancellation, counts: plan.Counts).Table;
        // The held-out files take the training file's id kinds, so that a test file whose ids all happen to be digits
        // still names the training file's string ids.
        var kinds = (trainTable.UserKind, trainTable.ItemKind);
        var testTable = _data.Read(parse, testPath, "--test", positives, valueOptional: positives, cancellation, kinds, counts: plan.Counts).Table;
        var (fit, held) = _training.Carve(parse, trainTable, file => _data.Read(parse, file, "--validation", positives, valueOptional: positives, cancellation, kinds, counts: plan.Counts).Table);
        if (coldStart is not null)
        {
            return RunColdStart(parse, plan, backend, fit, held, testTable, coldStart == "users", k, json, cancellation);
        }
        var (train, test) = HoldoutData.Build(fit, testTable, DuplicatePolicy.Reject);
        var validation = held is null ? null : TrainingArguments.ValidationMatrix(held, train);
        _training.AdviseRegularization(parse, plan, train);
        var features = _features.Read(parse, train, cancellation);
        var clock = Stopwatch.StartNew();
        var model = TrainingArguments.Train(plan, train, validation, backend, json ? null : new ProgressBar(), null, null, cancellation, features: features);
        double seconds = clock.Elapsed.TotalSeconds;
        var (coldUsers, coldItems) = Cold(train, test);
        var result = new JsonObject
        {
            ["model"] = plan.Family.Name,
            ["backend"] = BackendArguments.Name(backend.Kind),
            ["device"] = backend.DeviceName,
            ["options"] = JsonText.SnakeCase(plan.OptionsJson),
            ["values"] = plan.Values,
            ["train_seconds"] = Math.Round(seconds, 4),
            ["train_interactions"] = train.Count,
            ["test_interactions"] = test.Count,
            ["cold_test_users"] = coldUsers,
            ["cold_test_items"] = coldItems,
        };
        // The declared range when there is one, else what training saw: never the test's own range.
        var declared = parse.GetValue(_data.ValueRange);
        AddMetrics(result, model, test, positives, k, declared ?? RatingMetrics.ObservedRange(train), declared is null ? "train" : "value-range");
        Print(result, json);
        return 0;
    }

    /// <summary>
    /// <c>--cold-start items|users</c>: <see cref="ColdStartProtocol.Run"/> on the training and test rows. Test rows whose
    /// user or item has neither interactions nor features are counted and left out.
    /// </summary>
    private int RunColdStart(ParseResult parse, TrainingPlan plan, Backends.ComputeBackend backend, RatingTable fit, RatingTable? held, RatingTable testTable, bool users, int k, bool json, CancellationToken cancellation)
    {
        string what = users ? "users" : "items";
        double seconds = 0;
        ColdStartResult outcome;
        try
        {
            outcome = ColdStartProtocol.Run(fit, testTable, users ? ColdStartSide.Users : ColdStartSide.Items, train =>
            {
                var validation = held is null ? null : TrainingArguments.ValidationMatrix(held, train);
                var features = _features.Read(parse, train, cancellation);
                var clock = Stopwatch.StartNew();
                var model = TrainingArguments.Train(plan, train, validation, backend, json ? null : new ProgressBar(), null, null, cancellation, features: features);
                seconds = clock.Elapsed.TotalSeconds;
                return new ColdStartFit(model, features.Users, features.Items);
            }, k);
        }
        catch (ArgumentException e) when (e.ParamName == "test")
        {
            throw new UsageException($"--cold-start {what}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        var m = outcome.Metrics;
        var result = new JsonObject
        {
            ["model"] = plan.Family.Name,
            ["backend"] = BackendArguments.Name(backend.Kind),
            ["device"] = backend.DeviceName,
            ["options"] = JsonText.SnakeCase(plan.OptionsJson),
            ["cold_start"] = what,
            ["train_seconds"] = Math.Round(seconds, 4),
            ["train_interactions"] = outcome.Train.Count,
            [$"feature_only_{what}"] = outcome.FeatureOnly,
            ["test_rows_left_out"] = outcome.TestRowsLeftOut,
            ["candidates"] = m.Candidates,
            ["users_judged"] = m.Users,
            [$"precision@{k}"] = m.Precision,
            [$"map@{k}"] = m.Map,
            [$"ndcg@{k}"] = m.Ndcg,
            ["auc_full"] = m.AucFull,
        };
        Print(result, json);
        return 0;
    }

    /// <summary>
    /// <c>--model-file</c>: the saved model measured on the test rows whose user and item it knows (the others are
    /// counted and left out, as a saved model has no factors for them); no training, so no model option applies.
    /// </summary>
    private int RunSaved(ParseResult parse, string modelFile, CancellationToken cancellation)
    {
        if (parse.Given(_training.Model))
        {
            throw new UsageException("--model-file measures a saved model: drop --model (the file says which model it is).");
        }
        string testPath = parse.GetValue(_test)!;
        bool json = parse.GetValue(_json);
        int k = parse.GetValue(_k);
        var model = FactorModel.Load(modelFile);
        var family = ModelRegistry.Of(model.Kind);
        if (_training.Models.Given(family, parse) is { Count: > 0 } given)
        {
            throw new UsageException($"--model-file measures a saved model as it is: --{given[0]} would not change it (train with --model to set options).");
        }
        bool positives = family.TrainsOnPositives;
        var kinds = (model.Users.Kind, model.Items.Kind);
        _data.Check(parse, family, testPath, "--test");
        var testTable = _data.Read(parse, testPath, "--test", positives, valueOptional: positives, cancellation, kinds).Table;
        var (test, unknown) = InteractionMatrix.Within(testTable, model.Users, model.Items);
        if (test.Count == 0)
        {
            throw new DataFormatException(testPath, 0, $"no row has a user and an item that the model {modelFile} knows ({unknown:N0} rows, none known).");
        }
        var result = new JsonObject
        {
            ["model"] = family.Name,
            ["model_file"] = modelFile,
            ["options"] = JsonText.SnakeCase(model.OptionsJson),
            ["users"] = model.Users.Count,
            ["items"] = model.Items.Count,
            ["test_interactions"] = test.Count,
            ["unknown_test_rows"] = unknown,
        };
        var declared = parse.GetValue(_data.ValueRange);
        (float Min, float Max)? range = declared;
        string from = "value-range";
        if (declared is null && !positives && parse.GetValue(_train) is { } trainPath)
        {
            var trainTable = _data.Read(parse, trainPath, "--train", positives: false, valueOptional: false, cancellation, kinds).Table;
            range = RatingMetrics.ObservedRange(InteractionMatrix.Build(trainTable, DuplicatePolicy.KeepLast));
            from = "train";
        }
        AddMetrics(result, model, test, positives, k, range, from);
        Print(result, json);
        return 0;
    }

    /// <summary>
    /// The ranking metrics at <paramref name="k"/> (implicit models) or the rating errors (svd), with the RMSE of
    /// predictions clipped to <paramref name="clip"/> when there is a range to clip to.
    /// </summary>
    private static void AddMetrics(JsonObject result, FactorModel model, InteractionMatrix test, bool positives, int k, (float Min, float Max)? clip, string clipFrom)
    {
        if (positives)
        {
            var m = RankingMetrics.Evaluate(model, test, k);
            result[$"precision@{k}"] = m.Precision;
            result[$"map@{k}"] = m.Map;
            result[$"ndcg@{k}"] = m.Ndcg;
            result[$"auc@{k}"] = m.Auc;
            result["auc_full"] = m.AucFull;
            return;
        }
        if (clip is not { } range)
        {
            var plain = RatingMetrics.Evaluate(model, test);
            result["rmse"] = plain.Rmse;
            result["mae"] = plain.Mae;
            return;
        }
        var r = RatingMetrics.Evaluate(model, test, range.Min, range.Max);
        result["rmse"] = r.Rmse;
        result["mae"] = r.Mae;
        result["rmse_clipped"] = r.ClippedRmse;
        result["clip_min"] = r.ClipMin;
        result["clip_max"] = r.ClipMax;
        result["clip_range_from"] = clipFrom;
    }

    private static void Print(JsonObject result, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(result.ToJsonString());
        }
        else
        {
            Table.Print(["metric", "value"], [.. result.Where(kv => kv.Key != "options").Select(kv => new[] { kv.Key, Format(kv.Value) })]);
        }
    }

    /// <summary>
    /// Test users and test items without a training interaction (cold start): they are scored all the same,
    /// from factors training never moved (and, for SVD, the mean and the other side's bias), and counted so
    /// that the metrics can be read with them in mind.
    /// </summary>
    private static (int Users, int Items) Cold(InteractionMatrix train, InteractionMatrix test)
    {
        int users = 0;
        for (int u = 0; u < test.UserCount; u++)
        {
            if (test.UserPtr[u + 1] > test.UserPtr[u] && train.UserPtr[u + 1] == train.UserPtr[u])
            {
                users++;
            }
        }
        int items = 0;
        for (int i = 0; i < test.ItemCount; i++)
        {
            if (test.ItemPtr[i + 1] > test.ItemPtr[i] && train.ItemPtr[i + 1] == train.ItemPtr[i])
            {
                items++;
            }
        }
        return (users, items);
    }

    private static string Format(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out double d) => d.ToString(Math.Abs(d) < 100 && d != Math.Floor(d) ? "F4" : "G", CultureInfo.InvariantCulture),
        _ => node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Trim('"'),
    };
}
