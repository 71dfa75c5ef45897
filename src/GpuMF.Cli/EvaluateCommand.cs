using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Evaluation;

namespace GpuMF.Cli;

/// <summary><c>gpumf evaluate</c>: trains on one file and measures the model on another, as a table or one JSON object.</summary>
internal sealed class EvaluateCommand : CliCommand
{
    private readonly TrainingArguments _training;
    private readonly Option<string> _train;
    private readonly Option<string> _test;
    private readonly Option<int> _k;
    private readonly Option<bool> _json;
    private readonly DataArguments _data;

    public EvaluateCommand()
        : base("evaluate", "train on one file and measure the model on a held-out one (RMSE for svd, ranking metrics at K for the others)")
    {
        _training = new TrainingArguments(Command);
        _train = Add(Opt.Text("--train", "FILE", "the training rows, laid out as for train --data", true));
        _test = Add(Opt.Text("--test", "FILE", "the held-out rows; users and items only they hold are scored from untrained factors, and counted", true));
        _k = Add(Opt.Int("--k", "list length of the ranking metrics (als, bpr, warp)", 10, 1, 10000));
        _json = Add(Opt.Flag("--json", "print one JSON object (metrics, counts, timings, options) instead of a table"));
        _training.AddComputeOptions();
        _training.AddValidationOptions();
        _data = new DataArguments(Command, models: true);
        Models = _training.Models;
    }

    public override string Notes => $"""
        rmse_clipped (svd) clips each prediction to --value-range when it is given, else to the smallest and
        largest rating of --train (clip_range_from says which); rmse and mae are unclipped.

        {ValueNotes.Help}
        """;

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string trainPath = parse.GetValue(_train)!;
        string testPath = parse.GetValue(_test)!;
        bool json = parse.GetValue(_json);
        int k = parse.GetValue(_k);
        var plan = _training.Prepare(parse);
        bool positives = plan.Family.TrainsOnPositives;
        _data.Check(parse, plan.Family, trainPath, "--train");
        _data.Check(parse, plan.Family, testPath, "--test");
        using var backend = _training.Open(parse, plan);
        var trainTable = _data.Read(parse, trainPath, "--train", positives, valueOptional: positives, cancellation, counts: plan.Counts).Table;
        var testTable = _data.Read(parse, testPath, "--test", positives, valueOptional: positives, cancellation, counts: plan.Counts).Table;
        var (fit, held) = _training.Carve(parse, trainTable, file => _data.Read(parse, file, "--validation", positives, valueOptional: positives, cancellation, counts: plan.Counts).Table);
        var (train, test) = HoldoutData.Build(fit, testTable, DuplicatePolicy.Reject);
        var validation = held is null ? null : TrainingArguments.ValidationMatrix(held, train);
        var clock = Stopwatch.StartNew();
        var model = TrainingArguments.Train(plan, train, validation, backend, json ? null : new ProgressBar(), null, null, cancellation);
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
        if (positives)
        {
            var m = RankingMetrics.Evaluate(model, test, k);
            result[$"precision@{k}"] = m.Precision;
            result[$"map@{k}"] = m.Map;
            result[$"ndcg@{k}"] = m.Ndcg;
            result[$"auc@{k}"] = m.Auc;
            result["auc_full"] = m.AucFull;
        }
        else
        {
            // The declared range when there is one, else what training saw: never the test's own range.
            var declared = parse.GetValue(_data.ValueRange);
            var (min, max) = declared ?? RatingMetrics.ObservedRange(train);
            var m = RatingMetrics.Evaluate(model, test, min, max);
            result["rmse"] = m.Rmse;
            result["mae"] = m.Mae;
            result["rmse_clipped"] = m.ClippedRmse;
            result["clip_min"] = m.ClipMin;
            result["clip_max"] = m.ClipMax;
            result["clip_range_from"] = declared is null ? "train" : "value-range";
        }
        if (json)
        {
            Console.Out.WriteLine(result.ToJsonString());
        }
        else
        {
            Table.Print(["metric", "value"], [.. result.Where(kv => kv.Key != "options").Select(kv => new[] { kv.Key, Format(kv.Value) })]);
        }
        return 0;
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
