using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;

namespace GpuMF.Bench;

/// <summary>
/// The benchmark protocol of bench/PEERS.md end to end: <c>protocol [--backend cpu|ilgpu-cpu|cuda|opencl|auto]
/// [--runs 3] [--threads 0] [--models svd,als-cg,als-cholesky,bpr,warp] [--write [bench/RESULTS.md]]</c>.
/// Trains every model N times with GpuMF's defaults and 64 factors on the ML-1M fixed splits under
/// <c>$GPUMF_DATA/splits</c>, evaluates each run, and prints Markdown tables with bench/PEERS.md's peers and
/// targets; <c>--write</c> replaces the <c>protocol</c> section of the results file.
/// </summary>
public static class ProtocolRun
{
    private const string SectionName = "protocol";
    private const int Factors = 64;
    private const int K = 10;

    private static readonly IReadOnlyList<ProtocolModel> Models =
    [
        new("svd", "GpuMF SVD (SGD)", Explicit: true,
            (b, m) => new SvdTrainer(SvdOptions.Defaults with { Factors = Factors }, b).Fit(m)),
        new("als-cg", "GpuMF ALS, conjugate gradient", Explicit: false,
            (b, m) => new AlsTrainer(AlsOptions.Defaults with { Factors = Factors, Solver = AlsSolver.ConjugateGradient }, b).Fit(m)),
        new("als-cholesky", "GpuMF ALS, Cholesky", Explicit: false,
            (b, m) => new AlsTrainer(AlsOptions.Defaults with { Factors = Factors, Solver = AlsSolver.Cholesky }, b).Fit(m)),
        new("bpr", "GpuMF BPR", Explicit: false,
            (b, m) => new BprTrainer(BprOptions.Defaults with { Factors = Factors }, b).Fit(m)),
        new("warp", "GpuMF WARP", Explicit: false,
            (b, m) => new WarpTrainer(WarpOptions.Defaults with { Factors = Factors }, b).Fit(m)),
    ];

    /// <summary>Runs the command with its arguments; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var options = new BenchOptions("protocol", args);
        string backendName = options.Get("backend", "cpu");
        var backendKind = backendName is "auto" or "cpu" or "ilgpu-cpu" or "cuda" or "opencl"
            ? ComputeBackend.Parse(backendName)
            : throw new BenchUsageException($"--backend must be auto, cpu, ilgpu-cpu, cuda or opencl; got '{backendName}'.");
        int runs = options.Int("runs", 3, 1, 100);
        int threads = options.Int("threads", 0, 0, 1024);
        var names = options.List("models", Models.Select(m => m.Name).ToList(), Models.Select(m => m.Name).ToList());
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string splits = BenchData.Splits();

        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        using var backend = ComputeBackend.Create(backendKind, 0, threads);
        var selected = Models.Where(m => names.Contains(m.Name)).ToList();
        var explicitData = selected.Any(m => m.Explicit) ? Load(splits, "ml1m_explicit", positives: false) : null;
        var implicitData = selected.Any(m => !m.Explicit) ? Load(splits, "ml1m_implicit", positives: true) : null;
        var results = new List<ProtocolResult>();
        foreach (var model in selected)
        {
            var data = model.Explicit ? explicitData! : implicitData!;
            var seconds = new List<double>();
            var quality = new List<IReadOnlyDictionary<string, double>>();
            for (int run = 1; run <= runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var trained = model.Fit(backend, data.Train);
                seconds.Add(clock.Elapsed.TotalSeconds);
                quality.Add(Evaluate(trained, data.Test, model.Explicit));
                Console.Error.WriteLine($"{model.Name} run {run}/{runs}: {seconds[^1]:F3} s, "
                    + string.Join(", ", quality[^1].Select(kv => $"{kv.Key} {kv.Value:F4}")));
            }
            results.Add(new ProtocolResult(model, seconds, quality));
        }

        string command = "dotnet run -c Release --project bench/GpuMF.Bench -- protocol " + string.Join(' ', args);
        string report = Report(results, command.TrimEnd(), started, machine, backend, runs);
        Console.Out.Write(report);
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report);
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    private static HoldoutData Load(string splits, string prefix, bool positives) =>
        HoldoutData.Build(BenchData.Read(Path.Combine(splits, prefix + "_train.tsv"), positives), BenchData.Read(Path.Combine(splits, prefix + "_test.tsv"), positives));

    private static Dictionary<string, double> Evaluate(FactorModel model, InteractionMatrix test, bool explicitRatings)
    {
        if (explicitRatings)
        {
            var r = RatingMetrics.Evaluate(model, test);
            return new() { [Metric.Rmse.Key] = r.Rmse, [Metric.Mae.Key] = r.Mae };
        }
        var m = RankingMetrics.Evaluate(model, test, K);
        return new()
        {
            [Metric.Precision.Key] = m.Precision,
            [Metric.Map.Key] = m.Map,
            [Metric.Ndcg.Key] = m.Ndcg,
            [Metric.Auc.Key] = m.Auc,
            [Metric.AucFull.Key] = m.AucFull,
        };
    }

    private static string Report(List<ProtocolResult> results, string command, DateTime started, string machine, ComputeBackend backend, int runs)
    {
        var sb = new StringBuilder();
        sb.Append("## Protocol run (generated)\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Machine: {machine} Backend: {backend}.\n\n");
        sb.Append("ML-1M fixed splits (`$GPUMF_DATA/splits/ml1m_explicit_*` for SVD, `ml1m_implicit_*` for the others), ")
            .Append(CultureInfo.InvariantCulture, $"GpuMF's defaults with {Factors} factors, {runs} run{(runs > 1 ? "s" : "")} per model in one process ")
            .Append("(the first pays JIT and kernel compilation). Train s: min–max (median) wall time of `Fit`; quality: one value when every run ")
            .Append(CultureInfo.InvariantCulture, $"gave it, else min–max. Peers: {ProtocolFigures.Source}, not measured in this run. ")
            .Append("Targets: bench/PEERS.md's for the CPU backend, quality judged on the worst run and time on the median.\n\n");
        foreach (var (metrics, isExplicit) in new[] { (Metric.Rating, true), (Metric.Ranking, false) })
        {
            var rows = new List<IReadOnlyList<string>>();
            foreach (var result in results.Where(r => r.Model.Explicit == isExplicit))
            {
                rows.Add([
                    result.Model.Label,
                    .. metrics.Select(m => Quality(result, m)),
                    Seconds(result.Seconds),
                    TargetText(result.Model.Name),
                    Verdict(result),
                ]);
                foreach (var peer in ProtocolFigures.Peers.Where(p => p.Beside == result.Model.Name))
                {
                    rows.Add([
                        $"↳ {peer.Name}",
                        .. metrics.Select(m => peer.Quality.GetValueOrDefault(m.Key, "")),
                        peer.TrainSeconds,
                        "",
                        "",
                    ]);
                }
            }
            if (rows.Count > 0)
            {
                sb.Append(MarkdownTable.Render(["model", .. metrics.Select(m => m.Heading), "train s", "target (CPU)", "met"], rows)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string Quality(ProtocolResult result, Metric metric)
    {
        string min = result.Quality.Min(q => q[metric.Key]).ToString("F4", CultureInfo.InvariantCulture);
        string max = result.Quality.Max(q => q[metric.Key]).ToString("F4", CultureInfo.InvariantCulture);
        return min == max ? min : $"{min}–{max}";
    }

    private static string Seconds(IReadOnlyList<double> seconds) => seconds.Count == 1
        ? seconds[0].ToString("F2", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{seconds.Min():F2}–{seconds.Max():F2} ({Median(seconds):F2})");

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : 0.5 * (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]);
    }

    private static ProtocolTarget? Target(string row) => ProtocolFigures.Targets.FirstOrDefault(t => t.Row == row);

    private static string TargetText(string row) => Target(row) is not { } t ? "" : string.Create(CultureInfo.InvariantCulture,
        $"{string.Join(", ", t.Quality.Select(q => $"{q.Metric.Heading} {(q.Metric.LowerIsBetter ? "≤" : "≥")} {q.Bound}"))}; ≤ {t.MaxSeconds} s ({t.TimeSource}), aim ≤ {t.AimSeconds} s");

    /// <summary>"met" when every quality bound holds for every run and the median time is within the target; else what failed.</summary>
    private static string Verdict(ProtocolResult result)
    {
        if (Target(result.Model.Name) is not { } t)
        {
            return "";
        }
        var misses = new List<string>();
        foreach (var q in t.Quality)
        {
            double worst = q.Metric.LowerIsBetter ? result.Quality.Max(r => r[q.Metric.Key]) : result.Quality.Min(r => r[q.Metric.Key]);
            if (q.Metric.LowerIsBetter ? worst > q.Bound : worst < q.Bound)
            {
                misses.Add(string.Create(CultureInfo.InvariantCulture, $"{q.Metric.Heading} {worst:F4}"));
            }
        }
        double median = Median(result.Seconds);
        if (median > t.MaxSeconds)
        {
            misses.Add(string.Create(CultureInfo.InvariantCulture, $"{median:F2} s"));
        }
        if (misses.Count > 0)
        {
            return "not met: " + string.Join(", ", misses);
        }
        return median <= t.AimSeconds ? "met, aim too" : "met, aim not";
    }

    private sealed record ProtocolModel(string Name, string Label, bool Explicit, Func<ComputeBackend, InteractionMatrix, FactorModel> Fit);

    private sealed record ProtocolResult(ProtocolModel Model, IReadOnlyList<double> Seconds, IReadOnlyList<IReadOnlyDictionary<string, double>> Quality);
}
