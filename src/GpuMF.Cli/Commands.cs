using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary>The commands that work on files: train, evaluate, recommend, similar, devices, selftest.</summary>
internal static class Commands
{
    public static int Train(CommandLine cl, CancellationToken ct)
    {
        var family = ModelSetup.Family(cl);
        string data = cl.Require("data");
        string output = cl.Require("out");
        var fit = ModelSetup.Prepare(family, cl, out _);
        using var backend = ModelSetup.OpenBackend(cl);
        var table = ModelSetup.ReadData(data, cl, family.TrainsOnPositives);
        cl.RejectUnknown();
        var matrix = InteractionMatrix.Build(table, DuplicatePolicy.KeepLast);
        Console.Error.WriteLine($"{data}: {matrix.Count:N0} interactions, {matrix.UserCount:N0} users × {matrix.ItemCount:N0} items; training {family.Kind} on {backend}");
        var clock = Stopwatch.StartNew();
        var model = fit(matrix, null, backend, new ProgressBar(), ct);
        Console.Error.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F2} s");
        model.Save(output);
        // The checkpoint goes only once the finished model is safely in place.
        File.Delete(output + ".ckpt");
        Console.Out.WriteLine($"wrote {output}");
        return 0;
    }

    public static int Evaluate(CommandLine cl, CancellationToken ct)
    {
        var family = ModelSetup.Family(cl);
        string trainPath = cl.Require("train");
        string testPath = cl.Require("test");
        bool json = cl.Flag("json");
        int k = cl.Int("k", 10, 1, 10000);
        var fit = ModelSetup.Prepare(family, cl, out string optionsJson);
        using var backend = ModelSetup.OpenBackend(cl);
        bool positives = family.TrainsOnPositives;
        var trainTable = ModelSetup.ReadData(trainPath, cl, positives);
        var testTable = ModelSetup.ReadData(testPath, cl, positives);
        cl.RejectUnknown();
        var (train, test) = HoldoutData.Build(trainTable, testTable);
        var clock = Stopwatch.StartNew();
        var model = fit(train, null, backend, json ? null : new ProgressBar(), ct);
        double seconds = clock.Elapsed.TotalSeconds;
        var (coldUsers, coldItems) = Cold(train, test);
        var result = new JsonObject
        {
            ["model"] = family.Name,
            ["backend"] = backend.Kind.ToString().ToLowerInvariant(),
            ["device"] = backend.DeviceName,
            ["options"] = JsonNode.Parse(optionsJson),
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
            var m = RatingMetrics.Evaluate(model, test);
            result["rmse"] = m.Rmse;
            result["mae"] = m.Mae;
            result["rmse_clipped"] = m.ClippedRmse;
        }
        if (json)
        {
            Console.Out.WriteLine(result.ToJsonString());
        }
        else
        {
            var rows = result.Where(kv => kv.Key != "options").Select(kv => new[] { kv.Key, Format(kv.Value) }).ToList();
            Table.Print(["metric", "value"], rows);
        }
        return 0;
    }

    public static int Recommend(CommandLine cl)
    {
        string path = cl.Require("model");
        long user = cl.Long("user");
        int n = cl.Int("n", 10, 1, 100000);
        var titles = Titles(cl);
        cl.RejectUnknown();
        var model = FactorModel.Load(path);
        var recs = model.Recommend(user, n);
        Console.Out.WriteLine($"Top {recs.Count} for user {user}:");
        Table.Print(["rank", "item", "score", "title"], recs.Select((r, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), r.Id.ToString(CultureInfo.InvariantCulture), r.Score.ToString("F4", CultureInfo.InvariantCulture), titles?.Title(r.Id) ?? "" }).ToList());
        return 0;
    }

    public static int Similar(CommandLine cl)
    {
        string path = cl.Require("model");
        long item = cl.Long("item");
        int n = cl.Int("n", 10, 1, 100000);
        var titles = Titles(cl);
        cl.RejectUnknown();
        var model = FactorModel.Load(path);
        var sims = model.SimilarItems(item, n);
        Console.Out.WriteLine($"Items most similar to {item}{(titles is null ? "" : $" ({titles.Title(item)})")}:");
        Table.Print(["rank", "item", "cosine", "title"], sims.Select((r, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), r.Id.ToString(CultureInfo.InvariantCulture), r.Score.ToString("F4", CultureInfo.InvariantCulture), titles?.Title(r.Id) ?? "" }).ToList());
        return 0;
    }

    public static int Devices(CommandLine cl)
    {
        cl.RejectUnknown();
        var devices = ComputeBackend.ListDevices();
        Table.Print(["backend", "index", "device", "memory MiB", "warp", "max group"],
            devices.Select(d => new[] { d.Backend.ToString(), d.Index.ToString(CultureInfo.InvariantCulture), d.Name, (d.MemoryBytes >> 20).ToString(CultureInfo.InvariantCulture), d.WarpSize.ToString(CultureInfo.InvariantCulture), d.MaxGroupSize.ToString(CultureInfo.InvariantCulture) }).ToList());
        using var auto = ComputeBackend.Create();
        Console.Out.WriteLine($"auto picks: {auto}");
        return 0;
    }

    public static int SelfTest(CommandLine cl)
    {
        using var backend = ModelSetup.OpenBackend(cl);
        cl.RejectUnknown();
        if (!backend.IsIlgpu)
        {
            throw new UsageException("selftest checks ILGPU kernels: pick --backend cuda, opencl or ilgpu-cpu.");
        }
        Console.Out.WriteLine($"self-test of every kernel on {backend} against the managed CPU backend");
        var results = KernelSelfTest.Run(backend);
        Table.Print(["kernel", "case", "max rel. error", "tolerance", "seconds", "result"],
            results.Select(r => new[] { r.Kernel, r.Case, r.MaxError.ToString("E2", CultureInfo.InvariantCulture), r.Tolerance.ToString("E0", CultureInfo.InvariantCulture), r.Seconds.ToString("F2", CultureInfo.InvariantCulture), r.Passed ? "pass" : "FAIL" }).ToList());
        int failed = results.Count(r => !r.Passed);
        Console.Out.WriteLine($"selftest: {results.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
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

    private static MovieCatalog? Titles(CommandLine cl) => cl.Get("movies") is { } path ? MovieCatalog.Read(path) : null;

    private static string Format(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out double d) => d.ToString(Math.Abs(d) < 100 && d != Math.Floor(d) ? "F4" : "G", CultureInfo.InvariantCulture),
        _ => node.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Trim('"'),
    };
}
