using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.TopN;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf bench [--model svd|als|bpr|warp|recommend] [--kernel blocked|fused] [--backend a,b,…]</c>: training
/// throughput per model, or RecommendAll time (with the top-N kernel named, on an ILGPU backend), on seeded
/// synthetic data generated once and run on each backend named; one JSON
/// line per backend, for the device script and the benchmark tables. The first epoch or call (kernel
/// compilation, uploads) is timed apart from the steady ones.
/// </summary>
internal static class BenchCommand
{
    public static int Run(CommandLine cl, CancellationToken ct)
    {
        string model = cl.Get("model") ?? "svd";
        if (model is not ("svd" or "als" or "bpr" or "warp" or "recommend"))
        {
            throw new UsageException($"bench measures --model svd, als, bpr, warp or recommend; got '{model}'.");
        }
        bool explicitRatings = model == "svd";
        string preset = cl.Get("preset") ?? (explicitRatings ? "netflix-like" : "ml20m-like");
        var (users, items, nnz, _) = SyntheticData.Preset(preset);
        double scale = cl.Float("scale", 1f);
        if (!(scale > 0 && scale <= 1))
        {
            throw new UsageException("--scale must be in (0, 1].");
        }
        users = Math.Max(100, (int)(users * scale));
        long interactions = Math.Max(1000, (long)(nnz * scale));
        int epochs = cl.Int("epochs", 3, 1, 1000);
        int factors = cl.Int("factors", 64, 1, 1024);
        int n = cl.Int("n", 10, 1, BatchScorer.MaxN);
        var solver = (cl.Get("solver"), model) switch
        {
            (null, _) or ("cg", "als") => AlsSolver.ConjugateGradient,
            ("cholesky", "als") => AlsSolver.Cholesky,
            (var v, _) => throw new UsageException($"--solver applies to --model als and must be cg or cholesky; got '{v}'."),
        };
        var kernel = (cl.Get("kernel"), model) switch
        {
            (null, _) or ("blocked", "recommend") => TopNKernel.Blocked,
            ("fused", "recommend") => TopNKernel.Fused,
            (var v, _) => throw new UsageException($"--kernel applies to --model recommend and must be blocked or fused; got '{v}'."),
        };
        var kinds = (cl.Get("backend") ?? "auto").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ComputeBackend.Parse).ToArray();
        int device = cl.Int("device", 0, 0);
        int threads = cl.Int("threads", 0, 0, 1024);
        cl.RejectUnknown();

        var clock = Stopwatch.StartNew();
        var data = SyntheticData.Generate(users, items, interactions, explicitRatings, seed: 1);
        double generate = clock.Elapsed.TotalSeconds;
        int failed = 0;
        foreach (var kind in kinds)
        {
            var result = new JsonObject
            {
                ["bench"] = model,
                ["preset"] = preset,
                ["scale"] = Math.Round(scale, 6),
                ["backend"] = kind.ToString().ToLowerInvariant(),
                ["users"] = data.UserCount,
                ["items"] = data.ItemCount,
                ["ratings"] = data.Count,
                ["factors"] = factors,
                ["epochs"] = epochs,
                ["generate_seconds"] = Math.Round(generate, 3),
            };
            try
            {
                using var backend = ComputeBackend.Create(kind, device, threads);
                result["device"] = backend.DeviceName;
                var timing = model == "recommend"
                    ? Recommend(data, factors, n, epochs, kernel, backend, result, ct)
                    : Train(model, data, factors, epochs, solver, backend, result, ct);
                result["first_epoch_seconds"] = Math.Round(timing.First, 4);
                result["steady_epoch_seconds"] = Math.Round(timing.Steady, 4);
                result["updates_per_second"] = Math.Round(timing.PerSecond);
            }
            catch (Exception e) when (e is not OperationCanceledException && kinds.Length > 1)
            {
                // One backend failing must not hide the others' figures; the exit code still reports it.
                result["error"] = e.Message;
                failed++;
            }
            result["peak_host_mib"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0));
            Console.Out.WriteLine(result.ToJsonString());
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Seconds of the first epoch, mean seconds of the others, and samples (or ratings) per second in those.</summary>
    private readonly record struct Timing(double First, double Steady, double PerSecond);

    private static Timing Train(string model, InteractionMatrix data, int factors, int epochs, AlsSolver solver, ComputeBackend backend, JsonObject result, CancellationToken ct)
    {
        var seconds = new List<double>();
        var samplesPerSecond = new List<double>();
        var negativesPerSample = new List<double>();
        var last = TimeSpan.Zero;
        var progress = new InlineProgress<EpochReport>(r =>
        {
            seconds.Add((r.Elapsed - last).TotalSeconds);
            samplesPerSecond.Add(r.UpdatesPerSecond);
            last = r.Elapsed;
        });
        var pairwise = new InlineProgress<EpochReport>(r =>
        {
            negativesPerSample.Add(r.NegativesPerSample ?? double.NaN);
            ((IProgress<EpochReport>)progress).Report(r);
        });
        var clock = Stopwatch.StartNew();
        switch (model)
        {
            case "als":
                var als = AlsOptions.Defaults with { Factors = factors, Iterations = epochs, Solver = solver };
                new AlsTrainer(als, backend).Fit(data, progress, ct);
                result["solver"] = als.Solver.ToString();
                break;
            case "bpr":
                new BprTrainer(BprOptions.Defaults with { Factors = factors, Epochs = epochs }, backend).Fit(data, null, pairwise, ct);
                break;
            case "warp":
                new WarpTrainer(WarpOptions.Defaults with { Factors = factors, Epochs = epochs }, backend).Fit(data, null, pairwise, ct);
                break;
            default:
                new SvdTrainer(SvdOptions.Defaults with { Factors = factors, Epochs = epochs }, backend).Fit(data, progress: progress, cancellation: ct);
                break;
        }
        result["fit_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
        int skip = seconds.Count > 1 ? 1 : 0;
        if (negativesPerSample.Count > 0)
        {
            result["negatives_per_sample"] = Math.Round(negativesPerSample.Skip(skip).Average(), 3);
        }
        // ALS reports rows solved per second; its figure of merit is seconds per iteration.
        double perSecond = model == "als" ? data.Count / seconds.Skip(skip).Average() : samplesPerSecond.Skip(skip).Average();
        return new Timing(seconds[0], seconds.Skip(skip).Average(), perSecond);
    }

    /// <summary>
    /// RecommendAll over every user of a model with the data's shape and seen lists, random factors: the
    /// scoring cost does not depend on what the factors learnt. Epochs count the calls.
    /// </summary>
    private static Timing Recommend(InteractionMatrix data, int factors, int n, int calls, TopNKernel kernel, ComputeBackend backend, JsonObject result, CancellationToken ct)
    {
        var model = new FactorModel(ModelKind.Als, data.Users, data.Items, factors,
            NormalFactors.Create(data.UserCount, factors, 0.1f, 7, 0), NormalFactors.Create(data.ItemCount, factors, 0.1f, 7, 1),
            null, null, 0f, data.UserPtr, data.UserItems, "{}");
        var seconds = new List<double>();
        var setup = new List<double>();
        long checksum = 0;
        for (int c = 0; c < Math.Max(2, calls); c++)
        {
            ct.ThrowIfCancellationRequested();
            // What RecommendAll does, timed in its two parts: the scorer's set-up (packing, uploads) and the scoring.
            var clock = Stopwatch.StartNew();
            using var scorer = BatchScorer.ForRecommendations(model, backend, kernel: kernel);
            setup.Add(clock.Elapsed.TotalSeconds);
            var lists = scorer.ScoreAll(n);
            seconds.Add(clock.Elapsed.TotalSeconds);
            checksum += lists.Count;
        }
        if (backend.IsIlgpu)
        {
            // One more pass with every launch waited for, so that scoring and selection are timed apart.
            var stages = new StageSeconds();
            using var engine = IlgpuTopNEngine.Create(backend, TopNProblems.Recommendations(model, filterSeen: true, allowed: null), kernel, stages);
            engine.Run(Enumerable.Range(0, data.UserCount).ToArray(), new TopNBuffer(data.UserCount, n));
            result["score_kernel_seconds"] = Math.Round(stages.Score, 4);
            result["select_kernel_seconds"] = Math.Round(stages.Select, 4);
            result["other_device_seconds"] = Math.Round(stages.Other, 4);
        }
        int best = seconds.IndexOf(seconds.Skip(1).Min());
        result["n"] = n;
        result["kernel"] = backend.IsIlgpu ? kernel.ToString().ToLowerInvariant() : "cpu";
        result["lists"] = checksum / seconds.Count;
        result["setup_seconds"] = Math.Round(setup[best], 4);
        result["score_seconds"] = Math.Round(seconds[best] - setup[best], 4);
        return new Timing(seconds[0], seconds[best], data.UserCount / seconds[best]);
    }

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
