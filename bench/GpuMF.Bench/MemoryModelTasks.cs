using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Bench;

/// <summary>
/// The children of <c>memory</c> that save and load one large model, each in a process of its own so that its
/// peak resident set (VmHWM, read just before it exits) is its own:
/// <c>memory save --users N --items M --factors F --out PATH</c> writes an ALS model of random factors with
/// <c>model.Save</c>; <c>memory load --model PATH</c> reads one back with <c>FactorModel.Load</c>. Each prints one JSON line.
/// </summary>
internal static class MemoryModelTasks
{
    public const string SaveName = "save";
    public const string LoadName = "load";

    /// <summary>Floats drawn per seeded generator, so that the fill runs in parallel and still gives the same values.</summary>
    private const int ChunkValues = 1 << 20;

    public static int Save(string[] args)
    {
        var options = new BenchOptions($"{MemoryRun.Command} {SaveName}", args);
        int users = (int)options.Long("users", 10_000_000, 1, Array.MaxLength - 1);
        int items = (int)options.Long("items", 30_000, 1, Array.MaxLength - 1);
        int factors = options.Int("factors", 64, 1, 1024);
        int seed = options.Int("seed", 1, 0, int.MaxValue);
        string path = options.Get("out") ?? throw new BenchUsageException("--out is required.");
        options.RejectUnknown();

        var model = RandomModel(users, items, factors, seed);
        var clock = Stopwatch.StartNew();
        model.Save(path);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.Out.WriteLine(new JsonObject
        {
            ["file_bytes"] = new FileInfo(path).Length,
            ["seconds"] = Math.Round(seconds, 3),
            ["peak_bytes"] = ProcStatus.Field("self", "VmHWM"),
        }.ToJsonString());
        return 0;
    }

    public static int Load(string[] args)
    {
        var options = new BenchOptions($"{MemoryRun.Command} {LoadName}", args);
        string path = options.Get("model") ?? throw new BenchUsageException("--model is required.");
        options.RejectUnknown();

        long? baseline = ProcStatus.Field("self", "VmRSS");
        var clock = Stopwatch.StartNew();
        var model = FactorModel.Load(path);
        double seconds = clock.Elapsed.TotalSeconds;
        long? peak = ProcStatus.Field("self", "VmHWM");
        Console.Out.WriteLine(new JsonObject
        {
            ["file_bytes"] = new FileInfo(path).Length,
            ["baseline_bytes"] = baseline,
            ["peak_bytes"] = peak,
            ["seconds"] = Math.Round(seconds, 3),
            ["users"] = model.Users.Count,
            ["items"] = model.Items.Count,
            ["factors"] = model.Factors,
        }.ToJsonString());
        return 0;
    }

    /// <summary>An ALS model (no biases, no seen items) of uniform random factors in ±0.1, ids 1..n.</summary>
    private static FactorModel RandomModel(int users, int items, int factors, int seed)
    {
        var family = ModelRegistry.Of(ModelKind.Als);
        return new FactorModel(
            ModelKind.Als,
            new IdMap(Ids(users)),
            new IdMap(Ids(items)),
            factors,
            RandomValues((long)users * factors, seed),
            RandomValues((long)items * factors, seed ^ 0x5A5A5A5A),
            null,
            null,
            0f,
            new int[users + 1],
            [],
            family.ToJson(family.DefaultOptions));
    }

    private static long[] Ids(int count)
    {
        var ids = new long[count];
        for (int k = 0; k < count; k++)
        {
            ids[k] = k + 1L;
        }
        return ids;
    }

    private static float[] RandomValues(long count, int seed)
    {
        if (count > Array.MaxLength)
        {
            throw new BenchUsageException($"{count} factors do not fit in one array; ask for fewer users or factors.");
        }
        var values = GC.AllocateUninitializedArray<float>((int)count);
        int chunks = (int)((count + ChunkValues - 1) / ChunkValues);
        Parallel.For(0, chunks, c =>
        {
            var random = new Random(unchecked(seed * 1_000_003 + c));
            var span = values.AsSpan(c * ChunkValues, (int)Math.Min(ChunkValues, count - (long)c * ChunkValues));
            for (int k = 0; k < span.Length; k++)
            {
                span[k] = (random.NextSingle() - 0.5f) * 0.2f;
            }
        });
        return values;
    }
}
