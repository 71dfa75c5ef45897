using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.TopN;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf bench [--model svd|als|bpr|warp|recommend] [--backend a,b,…]</c>: training throughput per model,
/// or RecommendAll time, on seeded synthetic data generated once and run on each backend named; one JSON
/// line per backend, for the device script and the benchmark tables. The first epoch or call (kernel
/// compilation, uploads) is timed apart from the steady ones.
/// </summary>
internal sealed class BenchCommand : CliCommand
{
    private static readonly string[] Measures = [.. ModelRegistry.All.Select(f => f.Name), "recommend"];

    private readonly Option<string> _model;
    private readonly Option<string> _preset;
    private readonly Option<string> _kernel;
    private readonly Option<float> _scale;
    private readonly Option<int> _epochs;
    private readonly Option<int> _factors;
    private readonly Option<int> _n;
    private readonly Option<string> _solver;
    private readonly BackendArguments _backend;

    public BenchCommand()
        : base("bench", "training throughput (svd, als, bpr, warp) or RecommendAll time (recommend) on synthetic data, one JSON line per backend")
    {
        _model = Add(Opt.Choice("--model", "what to time", Measures, "svd", "-m"));
        _preset = Add(Opt.Choice("--preset", "the data's shape (default: netflix-like for svd, ml20m-like for the others)", ["netflix-like", "ml20m-like", "square-1m"], null));
        _kernel = Add(Opt.Choice("--kernel", "recommend: the top-N kernel on an ILGPU backend (blocked, the measured default; fused, opt-in until a GPU report shows it faster)", ["blocked", "fused"], "blocked"));
        _scale = Add(Opt.Float("--scale", "the share of the preset's users and ratings generated", 1f, "(0, 1]", f => f > 0 && f <= 1));
        _epochs = Add(Opt.Int("--epochs", "epochs timed (als: iterations; recommend: calls, at least 2)", 3, 1, 1000));
        _factors = Add(Opt.Int("--factors", "latent factors", 64, 1, 1024));
        _n = Add(Opt.Int("--n", "recommend: items per list", 10, 1, BatchScorer.MaxN, "-n"));
        _solver = Add(Opt.Choice("--solver", "als: the row solver", ["cg", "cholesky"], null));
        _backend = new BackendArguments(Command, list: true);
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string model = parse.GetValue(_model)!;
        bool recommend = model == "recommend";
        var family = recommend ? null : ModelRegistry.Parse(model);
        bool explicitRatings = family is { TrainsOnPositives: false };
        string preset = parse.GetValue(_preset) ?? (explicitRatings ? "netflix-like" : "ml20m-like");
        var (users, items, nnz, _) = SyntheticData.Preset(preset);
        double scale = parse.GetValue(_scale);
        users = Math.Max(100, (int)(users * scale));
        long interactions = Math.Max(1000, (long)(nnz * scale));
        int epochs = parse.GetValue(_epochs);
        int factors = parse.GetValue(_factors);
        int n = parse.GetValue(_n);
        string? solver = parse.GetValue(_solver);
        if (solver is not null && family?.Options.Any(o => o.Name == "solver") != true)
        {
            throw new UsageException($"--solver applies to the models that have one ({string.Join(", ", ModelRegistry.All.Where(f => f.Options.Any(o => o.Name == "solver")).Select(f => f.Name))}), not {model}.");
        }
        var kinds = _backend.Kinds(parse);

        var clock = Stopwatch.StartNew();
        var data = SyntheticData.Generate(users, items, interactions, explicitRatings, seed: 1);
        double generate = clock.Elapsed.TotalSeconds;
        int failed = 0;
        foreach (var kind in kinds)
        {
            cancellation.ThrowIfCancellationRequested();
            var result = new JsonObject
            {
                ["bench"] = model,
                ["preset"] = preset,
                ["scale"] = Math.Round(scale, 6),
                ["backend"] = BackendArguments.Name(kind),
                ["users"] = data.UserCount,
                ["items"] = data.ItemCount,
                ["ratings"] = data.Count,
                ["factors"] = factors,
                [recommend ? "calls" : "epochs"] = recommend ? Math.Max(2, epochs) : epochs,
                ["generate_seconds"] = Math.Round(generate, 3),
            };
            try
            {
                using var backend = _backend.Open(kind, parse);
                result["device"] = backend.DeviceName;
                if (recommend)
                {
                    // RecommendAll is timed by the call: it has no epochs, and its rate is in users, not updates.
                    var kernel = parse.GetValue(_kernel) == "fused" ? TopNKernel.Fused : TopNKernel.Blocked;
                    result["kernel"] = parse.GetValue(_kernel);
                    var timing = Recommend(data, factors, n, epochs, kernel, backend, result, cancellation);
                    result["first_call_seconds"] = Math.Round(timing.First, 4);
                    result["steady_call_seconds"] = Math.Round(timing.Steady, 4);
                    result["users_per_second"] = Math.Round(timing.PerSecond);
                }
                else
                {
                    var timing = Train(family!, data, factors, epochs, solver, backend, result, cancellation);
                    result["first_epoch_seconds"] = Math.Round(timing.First, 4);
                    result["steady_epoch_seconds"] = Math.Round(timing.Steady, 4);
                    result["updates_per_second"] = Math.Round(timing.PerSecond);
                }
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

    /// <summary>Seconds of the first epoch (or call), mean seconds of the others (recommend: the best), and samples, ratings or users per second in those.</summary>
    private readonly record struct Timing(double First, double Steady, double PerSecond);

    private static Timing Train(ModelFamily family, InteractionMatrix data, int factors, int epochs, string? solver, ComputeBackend backend, JsonObject result, CancellationToken ct)
    {
        var seconds = new List<double>();
        var samplesPerSecond = new List<double>();
        var negativesPerSample = new List<double>();
        var last = TimeSpan.Zero;
        var progress = new InlineProgress<EpochReport>(r =>
        {
            seconds.Add((r.Elapsed - last).TotalSeconds);
            samplesPerSecond.Add(r.UpdatesPerSecond);
            if (r.NegativesPerSample is { } negatives)
            {
                negativesPerSample.Add(negatives);
            }
            last = r.Elapsed;
        });
        var given = new Dictionary<string, string> { ["factors"] = $"{factors}", [family.EpochUnit] = $"{epochs}" };
        if (solver is not null)
        {
            given["solver"] = solver;
        }
        if (family.Options.FirstOrDefault(o => o.Name == "solver") is { } solverOption)
        {
            result["solver"] = solver ?? solverOption.Default;
        }
        var options = family.Bind(name => given.GetValueOrDefault(name), given.ContainsKey);
        var clock = Stopwatch.StartNew();
        family.Train(options, new TrainingRequest(data, null, backend, progress, ct, null, null, 0));
        result["fit_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
        int skip = seconds.Count > 1 ? 1 : 0;
        if (negativesPerSample.Count > 0)
        {
            result["negatives_per_sample"] = Math.Round(negativesPerSample.Skip(skip).Average(), 3);
        }
        // ALS reports rows solved per second; its figure of merit is seconds per iteration, and data per second here.
        double perSecond = family.EpochUnit == "iterations" ? data.Count / seconds.Skip(skip).Average() : samplesPerSecond.Skip(skip).Average();
        return new Timing(seconds[0], seconds.Skip(skip).Average(), perSecond);
    }

    /// <summary>
    /// RecommendAll over every user of a model with the data's shape and seen lists, random factors: the
    /// scoring cost does not depend on what the factors learnt. <paramref name="calls"/> counts the calls (at least 2).
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
            using var engine = new IlgpuTopNEngine(backend, TopNProblems.Recommendations(model, filterSeen: true, allowed: null)) { Stages = stages };
            engine.Run(Enumerable.Range(0, data.UserCount).ToArray(), new TopNBuffer(data.UserCount, n));
            result["score_kernel_seconds"] = Math.Round(stages.Score, 4);
            result["select_kernel_seconds"] = Math.Round(stages.Select, 4);
            result["other_device_seconds"] = Math.Round(stages.Other, 4);
        }
        int best = seconds.IndexOf(seconds.Skip(1).Min());
        result["n"] = n;
        result["lists"] = checksum / seconds.Count;
        result["setup_seconds"] = Math.Round(setup[best], 4);
        result["score_seconds"] = Math.Round(seconds[best] - setup[best], 4);
        return new Timing(seconds[0], seconds[best], data.UserCount / seconds[best]);
    }
}
