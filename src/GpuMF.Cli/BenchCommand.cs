using System.Diagnostics;
using System.Text.Json.Nodes;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf bench sgd</c>: SGD throughput on seeded synthetic data, one JSON line per run, for the device
/// script and the benchmark tables. The first epoch (kernel compilation, uploads) is timed apart.
/// </summary>
internal static class BenchCommand
{
    public static int Run(CommandLine cl, CancellationToken ct)
    {
        string preset = cl.Get("preset") ?? "netflix-like";
        var (users, items, nnz, _) = SyntheticData.Preset(preset);
        double scale = cl.Float("scale", 1f);
        if (!(scale > 0 && scale <= 1))
        {
            throw new UsageException("--scale must be in (0, 1].");
        }
        users = Math.Max(100, (int)(users * scale));
        long interactions = Math.Max(1000, (long)(nnz * scale));
        int epochs = cl.Int("epochs", 3, 1, 1000);
        var options = SvdOptions.Defaults with { Factors = cl.Int("factors", 64, 1, 1024), Epochs = epochs };
        using var backend = ModelSetup.OpenBackend(cl);
        cl.RejectUnknown();
        var clock = Stopwatch.StartNew();
        var data = SyntheticData.Generate(users, items, interactions, explicitRatings: true, seed: 1);
        double generate = clock.Elapsed.TotalSeconds;
        var epochSeconds = new List<double>();
        var last = TimeSpan.Zero;
        var progress = new InlineProgress(r =>
        {
            epochSeconds.Add((r.Elapsed - last).TotalSeconds);
            last = r.Elapsed;
        });
        clock.Restart();
        new SvdTrainer(options, backend).Fit(data, progress: progress, cancellation: ct);
        double total = clock.Elapsed.TotalSeconds;
        var steady = epochSeconds.Count > 1 ? epochSeconds.Skip(1).ToList() : epochSeconds;
        double perEpoch = steady.Average();
        var result = new JsonObject
        {
            ["bench"] = "sgd",
            ["preset"] = preset,
            ["scale"] = Math.Round((double)scale, 6),
            ["backend"] = backend.Kind.ToString().ToLowerInvariant(),
            ["device"] = backend.DeviceName,
            ["users"] = data.UserCount,
            ["items"] = data.ItemCount,
            ["ratings"] = data.Count,
            ["factors"] = options.Factors,
            ["epochs"] = epochs,
            ["generate_seconds"] = Math.Round(generate, 3),
            ["first_epoch_seconds"] = Math.Round(epochSeconds[0], 4),
            ["steady_epoch_seconds"] = Math.Round(perEpoch, 4),
            ["updates_per_second"] = Math.Round(data.Count / perEpoch),
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
