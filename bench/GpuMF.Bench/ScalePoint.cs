using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// One point of the scale curve, run in a process of its own so that its peak memory is its own:
/// <c>scale-point --model svd|als|bpr|warp --interactions N --users U --items I [--epochs 1] [--factors 64]</c>.
/// Generates the synthetic data, trains one warm-up epoch plus the measured ones on the CPU backend, and
/// prints one JSON object with the epoch times and the resident-memory figures of each phase.
/// </summary>
internal static class ScalePoint
{
    public const string Command = "scale-point";

    public static readonly IReadOnlyList<string> ModelNames = ["svd", "als", "bpr", "warp"];

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(Command, args);
        string model = options.List("model", ["svd"], ModelNames)[0];
        long interactions = options.Long("interactions", 1_000_000, 1, int.MaxValue - 1);
        int users = options.Int("users", 1, 1, int.MaxValue);
        int items = options.Int("items", 2, 2, int.MaxValue);
        int epochs = options.Int("epochs", 1, 1, 1000);
        int factors = options.Int("factors", 64, 1, 1024);
        options.RejectUnknown();

        long baseline = Resident();
        var clock = Stopwatch.StartNew();
        var matrix = SyntheticData.Generate(users, items, interactions, explicitRatings: model == "svd", seed: 1);
        double generateSeconds = clock.Elapsed.TotalSeconds;
        long generatePeak = PeakResident();
        // Generation's temporary arrays are garbage now; collecting them lets the training peak be measured on its own.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long dataResident = Resident();
        bool peakReset = ResetPeak();

        var seconds = new List<double>();
        var last = TimeSpan.Zero;
        void Epoch(TimeSpan elapsed)
        {
            seconds.Add((elapsed - last).TotalSeconds);
            last = elapsed;
        }
        using var backend = ComputeBackend.Create(BackendKind.Cpu);
        clock.Restart();
        FactorModel trained = Train(model, matrix, backend, factors, 1 + epochs, Epoch);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        long trainPeak = PeakResident();
        long factorBytes = sizeof(float) * ((long)trained.UserFactors.Length + trained.ItemFactors.Length
            + (trained.UserBias?.Length ?? 0) + (trained.ItemBias?.Length ?? 0));

        var result = new JsonObject
        {
            ["model"] = model,
            ["users"] = matrix.UserCount,
            ["items"] = matrix.ItemCount,
            ["interactions"] = matrix.Count,
            ["factors"] = factors,
            ["threads"] = backend.Threads,
            ["generate_seconds"] = Math.Round(generateSeconds, 3),
            ["train_seconds"] = Math.Round(trainSeconds, 4),
            ["epoch_seconds"] = new JsonArray(seconds.Select(s => (JsonNode)Math.Round(s, 5)).ToArray()),
            ["baseline_bytes"] = baseline,
            ["generate_peak_bytes"] = generatePeak,
            ["data_bytes"] = dataResident,
            ["train_peak_bytes"] = peakReset ? trainPeak : null,
            ["peak_bytes"] = Math.Max(generatePeak, trainPeak),
            ["factor_bytes"] = factorBytes,
        };
        Console.Out.WriteLine(result.ToJsonString());
        return 0;
    }

    private static FactorModel Train(string model, InteractionMatrix matrix, ComputeBackend backend, int factors, int epochs, Action<TimeSpan> epochDone)
    {
        ModelFamily family;
        try
        {
            family = ModelRegistry.Parse(model);
        }
        catch (ArgumentException e)
        {
            throw new BenchUsageException(e.Message);
        }
        var options = family.Bind(name => (name == "factors" ? factors : epochs).ToString(CultureInfo.InvariantCulture), name => name == "factors" || name == family.EpochUnit);
        return family.Train(options, new TrainingRequest(matrix, null, backend, new InlineProgress<EpochReport>(r => epochDone(r.Elapsed)), default, null, null, 0));
    }

    private static long Resident() => ProcStatus.Field("self", "VmRSS") ?? Environment.WorkingSet;

    private static long PeakResident()
    {
        if (ProcStatus.Field("self", "VmHWM") is { } peak)
        {
            return peak;
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>Resets Linux's high-water mark of resident memory to the current size; false where that is not possible.</summary>
    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
