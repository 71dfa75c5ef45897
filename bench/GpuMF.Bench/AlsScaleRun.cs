using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// End-to-end ALS timing on a synthetic preset: <c>als-scale [--preset ml20m-like] [--backend auto]
/// [--solver cg|cholesky] [--factors 64] [--iterations 5]</c>. Prints one JSON object with the seconds of
/// every iteration (the first includes kernel compilation) and their median over the rest.
/// </summary>
public static class AlsScaleRun
{
    /// <summary>Runs with <c>--name value</c> pairs; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int n = 0; n + 1 < args.Length; n += 2)
        {
            options[args[n].TrimStart('-')] = args[n + 1];
        }
        string preset = options.GetValueOrDefault("preset", "ml20m-like");
        var (users, items, interactions, _) = SyntheticData.Preset(preset);
        var als = AlsOptions.Defaults with
        {
            Factors = int.Parse(options.GetValueOrDefault("factors", "64"), CultureInfo.InvariantCulture),
            Iterations = int.Parse(options.GetValueOrDefault("iterations", "5"), CultureInfo.InvariantCulture),
            Solver = options.GetValueOrDefault("solver", "cg") == "cholesky" ? AlsSolver.Cholesky : AlsSolver.ConjugateGradient,
        };
        using var backend = ComputeBackend.Create(ComputeBackend.Parse(options.GetValueOrDefault("backend", "auto")));
        var clock = Stopwatch.StartNew();
        var matrix = SyntheticData.Generate(users, items, interactions, explicitRatings: false, seed: 1);
        double generate = clock.Elapsed.TotalSeconds;
        var seconds = new List<double>();
        var last = TimeSpan.Zero;
        var progress = new Progress(report =>
        {
            seconds.Add((report.Elapsed - last).TotalSeconds);
            last = report.Elapsed;
        });
        clock.Restart();
        new AlsTrainer(als, backend).Fit(matrix, progress);
        double total = clock.Elapsed.TotalSeconds;
        var steady = seconds.Skip(1).Order().ToList();
        var result = new JsonObject
        {
            ["preset"] = preset,
            ["interactions"] = matrix.Count,
            ["backend"] = backend.Kind.ToString().ToLowerInvariant(),
            ["device"] = backend.DeviceName,
            ["solver"] = als.Solver.ToString(),
            ["factors"] = als.Factors,
            ["generate_seconds"] = Math.Round(generate, 3),
            ["train_seconds"] = Math.Round(total, 4),
            ["iteration_seconds"] = new JsonArray(seconds.Select(s => (JsonNode)Math.Round(s, 5)).ToArray()),
            ["median_iteration_seconds"] = steady.Count > 0 ? Math.Round(steady[steady.Count / 2], 5) : null,
        };
        Console.Out.WriteLine(result.ToJsonString());
        return 0;
    }

    private sealed class Progress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
