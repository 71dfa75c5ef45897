using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Pairwise;

namespace GpuMF.Bench;

/// <summary>
/// <c>pairwise [--users 200000] [--items 30000] [--interactions 1e7] [--seed 1] [--models bpr,warp] [--threads 2]
/// [--epochs 5] [--write [bench/RESULTS.md]]</c>: BPR's and WARP's epoch time on the managed CPU backend at scale.
/// <see cref="SyntheticData.Generate"/> makes the positives (Zipf-like item popularity and user activity, exponent 1,
/// the given seed); each model trains from its usual start (<see cref="PairwiseRun.CreateProblem"/>, the defaults:
/// 64 factors, adagrad, item bias; BPR redraws observed negatives, WARP scores up to 10) one warm-up epoch, which pays
/// JIT compilation, then <c>--epochs</c> timed ones at the default step size, as training runs them. Reported: the
/// median epoch and the range, samples per second at the median, negatives drawn per sample, and a digest of the
/// factors after the last epoch, which is the same for the same seed, thread count and epochs on any build that
/// computes the same model.
/// </summary>
internal static class PairwiseThroughputRun
{
    public const string Command = "pairwise";

    private const string SectionName = "pairwise-throughput";
    private static readonly string[] Models = ["bpr", "warp"];

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int users = options.Int("users", 200_000, 1, int.MaxValue);
        int items = options.Int("items", 30_000, 2, int.MaxValue);
        long interactions = options.Long("interactions", 10_000_000, 1, int.MaxValue - 1);
        ulong seed = (ulong)options.Long("seed", 1, 0, long.MaxValue);
        var models = options.List("models", Models, Models);
        int threads = options.Int("threads", 2, 1, 1024);
        int epochs = options.Int("epochs", 5, 1, 1000);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();

        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var matrix = SyntheticData.Generate(users, items, interactions, explicitRatings: false, seed);
        Console.Error.WriteLine($"{Command}: generated {matrix.Count:N0} positives, {matrix.UserCount:N0} × {matrix.ItemCount:N0}, in {clock.Elapsed.TotalSeconds:F1} s");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        using var process = Process.GetCurrentProcess();
        var rows = new List<IReadOnlyList<string>>();
        foreach (string model in models)
        {
            var settings = model == "bpr" ? BprOptions.Defaults.ToSettings() : WarpOptions.Defaults.ToSettings();
            var problem = PairwiseRun.CreateProblem(settings, matrix);
            var seconds = new List<double>();
            var cpuSeconds = new List<double>();
            long samples = 0, trials = 0;
            using (var engine = backend.CreateEngine(new PairwiseEngineFactory(problem)))
            {
                float lr = settings.LearningRate;
                for (int epoch = 0; epoch <= epochs; epoch++)
                {
                    var cpuBefore = process.TotalProcessorTime;
                    clock.Restart();
                    var result = engine.RunEpoch(epoch, lr);
                    double elapsed = clock.Elapsed.TotalSeconds;
                    process.Refresh();
                    double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
                    lr *= settings.LearningRateDecay;
                    Console.Error.WriteLine($"{Command}: {model} epoch {epoch}{(epoch == 0 ? " (warm-up)" : "")} {elapsed:F3} s ({cpu:F3} CPU s), {result.Trials / (double)Math.Max(1, result.Samples):F2} negatives per sample");
                    if (epoch > 0)
                    {
                        seconds.Add(elapsed);
                        cpuSeconds.Add(cpu);
                        samples += result.Samples;
                        trials += result.Trials;
                    }
                }
                engine.CopyTo(problem);
            }
            double median = Median(seconds);
            rows.Add([
                model,
                threads.ToString(CultureInfo.InvariantCulture),
                epochs.ToString(CultureInfo.InvariantCulture),
                median.ToString("F2", CultureInfo.InvariantCulture),
                $"{seconds[0].ToString("F2", CultureInfo.InvariantCulture)}–{seconds[^1].ToString("F2", CultureInfo.InvariantCulture)}",
                Median(cpuSeconds).ToString("F2", CultureInfo.InvariantCulture),
                (samples / (double)epochs / median / 1e6).ToString("F2", CultureInfo.InvariantCulture),
                (trials / (double)Math.Max(1, samples)).ToString("F2", CultureInfo.InvariantCulture),
                Digest(problem),
            ]);
        }

        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- " + Command + " " + string.Join(' ', args)).TrimEnd();
        var report = new StringBuilder()
            .Append("## BPR and WARP epochs at scale, CPU backend (generated)\n\n")
            .Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n")
            .Append(CultureInfo.InvariantCulture, $"`SyntheticData.Generate({users}, {items}, {interactions}, explicitRatings: false, seed: {seed})`: ")
            .Append(CultureInfo.InvariantCulture, $"{matrix.Count:N0} positives, {matrix.UserCount:N0} users × {matrix.ItemCount:N0} items. ")
            .Append("Each model trains from its usual start with its defaults (64 factors, adagrad, item bias) on the managed CPU backend: ")
            .Append(CultureInfo.InvariantCulture, $"one warm-up epoch (JIT compilation), then {epochs} timed epochs at the default step size. ")
            .Append("An epoch includes its shuffle and blocking into cells. \"M samples/s\" is the positives of an epoch over the median epoch; ")
            .Append("\"CPU s\" is the process's processor time over an epoch, all threads: on a machine shared with other work the wall time ")
            .Append("grows with the load while this stays close to what the epoch costs. ")
            .Append("\"negatives per sample\" counts the draws (BPR: redraws of observed items; WARP: candidates scored until a violator). ")
            .Append("The digest (SHA-256 of the user and item factors after the last epoch, first 12 hex digits) is the same on any build ")
            .Append("that computes the same model for this seed, thread count and number of epochs.\n\n")
            .Append(MarkdownTable.Render(
                ["model", "threads", "timed epochs", "median epoch s", "range s", "median CPU s", "M samples/s", "negatives per sample", "factors digest"],
                rows))
            .Append('\n');
        Console.Out.Write(report);
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    /// <summary>The median of <paramref name="values"/>, which it sorts.</summary>
    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[(n / 2) - 1] + values[n / 2]);
    }

    private static string Digest(PairwiseProblem problem)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(problem.P.AsSpan()));
        sha.AppendData(MemoryMarshal.AsBytes(problem.Q.AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }
}
