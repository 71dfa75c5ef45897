using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf bench [--model svd|als]</c>: SGD throughput or ALS seconds per iteration on seeded synthetic data,
/// one JSON line per run, for the device script and the benchmark tables. The first epoch or iteration
/// (kernel compilation, uploads) is timed apart.
/// </summary>
internal static class BenchCommand
{
    public static int Run(CommandLine cl, CancellationToken ct)
    {
        string model = cl.Get("model") ?? "svd";
        if (model is not ("svd" or "als"))
        {
            throw new UsageException($"bench measures --model svd or als; got '{model}'.");
        }
        string preset = cl.Get("preset") ?? (model == "als" ? "ml20m-like" : "netflix-like");
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
        var options = SvdOptions.Defaults with { Factors = factors, Epochs = epochs };
        var alsOptions = AlsOptions.Defaults with { Factors = factors, Iterations = epochs };
        using var backend = ModelSetup.OpenBackend(cl);
        cl.RejectUnknown();
        var clock = Stopwatch.StartNew();
        var data = SyntheticData.Generate(users, items, interactions, explicitRatings: model == "svd", seed: 1);
        double generate = clock.Elapsed.TotalSeconds;
        var epochSeconds = new List<double>();
        var last = TimeSpan.Zero;
        var progress = new InlineProgress(r =>
        {
            epochSeconds.Add((r.Elapsed - last).TotalSeconds);
            last = r.Elapsed;
        });
        clock.Restart();
        if (model == "als")
        {
            new AlsTrainer(alsOptions, backend).Fit(data, progress, ct);
        }
        else
        {
            new SvdTrainer(options, backend).Fit(data, progress: progress, cancellation: ct);
        }
        double total = clock.Elapsed.TotalSeconds;
        var steady = epochSeconds.Count > 1 ? epochSeconds.Skip(1).ToList() : epochSeconds;
        double perEpoch = steady.Average();
        var result = new JsonObject
        {
            ["bench"] = model,
            ["preset"] = preset,
            ["scale"] = Math.Round((double)scale, 6),
            ["backend"] = backend.Kind.ToString().ToLowerInvariant(),
            ["device"] = backend.DeviceName,
            ["users"] = data.UserCount,
            ["items"] = data.ItemCount,
            ["ratings"] = data.Count,
            ["factors"] = factors,
            ["epochs"] = epochs,
            ["generate_seconds"] = Math.Round(generate, 3),
            ["first_epoch_seconds"] = Math.Round(epochSeconds[0], 4),
            ["steady_epoch_seconds"] = Math.Round(perEpoch, 4),
            ["updates_per_second"] = Math.Round(data.Count / perEpoch),
            ["solver"] = model == "als" ? alsOptions.Solver.ToString() : "sgd",
            ["fit_seconds"] = Math.Round(total, 3),
        };
        Console.Out.WriteLine(result.ToJsonString());
        return 0;
    }

    private sealed class InlineProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
