using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace GpuMF.Bench;

/// <summary>
/// The scale curve of bench/PEERS.md: <c>scale [--models svd,als,bpr,warp] [--sizes 1e6,1e7,1e8] [--epochs 1]
/// [--items 17770] [--write [bench/RESULTS.md]]</c>. For each model and size, one child process
/// (<see cref="ScalePoint"/>) generates Zipf-like synthetic data and times a warm-up epoch plus the measured
/// ones on the CPU backend, and reports its peak resident memory. The catalogue stays fixed and users grow
/// with the size at netflix-like's 208 interactions per user, so 1e8 is the netflix-like preset's shape.
/// Prints a Markdown table; <c>--write</c> replaces the <c>scale</c> section of the results file and draws
/// scale.png (time per epoch) and scale-memory.png (peak memory) beside it.
/// </summary>
public static class ScaleRun
{
    private const string SectionName = "scale";
    private const double InteractionsPerUser = 100_000_000 / 480_189.0;
    private const double BoundBytesPerInteraction = 48;
    private const int Factors = 64;

    /// <summary>Runs the command with its arguments; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        var options = new BenchOptions("scale", args);
        var models = options.List("models", ScalePoint.ModelNames, ScalePoint.ModelNames);
        var sizes = options.List("sizes", ["1e6", "1e7", "1e8"])
            .Select(s => BenchOptions.ParseCount(s) is { } n and >= 1000 and < int.MaxValue
                ? n
                : throw new BenchUsageException($"--sizes: '{s}' is not a count in 1000..2^31 (1e6 style allowed)."))
            .Order()
            .ToList();
        int epochs = options.Int("epochs", 1, 1, 1000);
        int items = options.Int("items", 17_770, 20, 10_000_000);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();

        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        var points = new List<ScalePointResult>();
        foreach (string model in models)
        {
            foreach (long size in sizes)
            {
                int users = (int)Math.Max(1, Math.Round(size / InteractionsPerUser));
                Console.Error.WriteLine($"scale: {model}, {size:N0} interactions, {users:N0} users × {items:N0} items");
                points.Add(RunPoint(model, size, users, items, epochs));
            }
        }

        string command = "dotnet run -c Release --project bench/GpuMF.Bench -- scale " + string.Join(' ', args);
        string report = Report(points, command.TrimEnd(), started, machine, epochs, write is not null);
        Console.Out.Write(report);
        if (write is not null)
        {
            string folder = Path.GetDirectoryName(Path.GetFullPath(write))!;
            ScalePlot.Save(points.Where(p => p.Json is not null).ToList(), Path.Combine(folder, "scale.png"), Path.Combine(folder, "scale-memory.png"), BoundBytesPerInteraction);
            ResultsSection.Write(write, SectionName, report);
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}, scale.png and scale-memory.png beside it");
        }
        return points.All(p => p.Json is not null) ? 0 : 1;
    }

    private static ScalePointResult RunPoint(string model, long size, int users, int items, int epochs)
    {
        var start = SelfProcess.StartInfo(
        [
            ScalePoint.Command, "--model", model,
            "--interactions", size.ToString(CultureInfo.InvariantCulture),
            "--users", users.ToString(CultureInfo.InvariantCulture),
            "--items", items.ToString(CultureInfo.InvariantCulture),
            "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
            "--factors", Factors.ToString(CultureInfo.InvariantCulture),
        ]);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (child.ExitCode != 0 || last is null)
        {
            Console.Error.WriteLine($"scale: {model} at {size:N0} failed with exit code {child.ExitCode}");
            return new ScalePointResult(model, size, users, items, null, child.ExitCode);
        }
        // Echoed as it comes, so that a long run cut short still leaves every finished point in its log.
        Console.Error.WriteLine(last);
        return new ScalePointResult(model, size, users, items, JsonNode.Parse(last)!.AsObject(), 0);
    }

    private static string Report(List<ScalePointResult> points, string command, DateTime started, string machine, int epochs, bool plots)
    {
        var sb = new StringBuilder();
        sb.Append("## Scale (generated)\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Managed CPU backend, every core, {Factors} factors, GpuMF's defaults otherwise. Synthetic data (`SyntheticData.Generate`, Zipf-like ")
            .Append("item popularity and user activity, exponent 1, seed 1; ratings 1..5 for SVD, positives for the others): the catalogue stays at ")
            .Append(CultureInfo.InvariantCulture, $"{points.FirstOrDefault()?.Items ?? 0:N0} items and users grow with the size ({InteractionsPerUser:F0} interactions per user, ")
            .Append("netflix-like's shape). Each point runs in a process of its own and trains one warm-up epoch (ALS: iteration), which pays ")
            .Append(CultureInfo.InvariantCulture, $"JIT compilation, then {epochs} measured; \"epoch s\" is their mean, as the trainer's progress reports time them. \"fit s\" ")
            .Append("is the whole `Fit` call: setup (shuffles, blocking into cells, engine state), every epoch, and the model's assembly. \"vs previous\" is the ratio of time ")
            .Append("per interaction to the next smaller size (1.00 = linear). Peak memory is the process's peak resident set (VmHWM): during data ")
            .Append("generation, and during training alone (the high-water mark is reset after generation and a full collection, so the training ")
            .Append("peak holds the interaction matrix, the model and the training state). Bytes per interaction = (training peak − the resident ")
            .Append(CultureInfo.InvariantCulture, $"set at start-up − factor matrices and biases) / interactions, against bench/PEERS.md's bound of {BoundBytesPerInteraction:F0} bytes ")
            .Append("per interaction plus the factor matrices; \"marginal\" is the growth of (training peak − factor matrices) from the next ")
            .Append("smaller size divided by the added interactions, which leaves out every fixed cost (runtime, JIT-compiled code, thread stacks).\n\n");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var group in points.GroupBy(p => p.Model))
        {
            ScalePointResult? previous = null;
            foreach (var p in group)
            {
                if (p.Json is not { } j)
                {
                    rows.Add([p.Model, p.Size.ToString("N0", CultureInfo.InvariantCulture), $"{p.Users:N0} × {p.Items:N0}", $"failed (exit code {p.ExitCode})", "", "", "", "", "", "", "", "", ""]);
                    previous = null;
                    continue;
                }
                double perInteraction = p.SteadySeconds / p.Interactions;
                string ratio = previous is { Json: not null } prev
                    ? (perInteraction / (prev.SteadySeconds / prev.Interactions)).ToString("F2", CultureInfo.InvariantCulture)
                    : "";
                double bytesPer = p.BytesPerInteraction;
                string marginal = previous is { Json: not null } before
                    ? ((p.TrainPeakBytes - p.FactorBytes - (before.TrainPeakBytes - before.FactorBytes)) / (double)(p.Interactions - before.Interactions)).ToString("F1", CultureInfo.InvariantCulture)
                    : "";
                rows.Add([
                    p.Model,
                    p.Interactions.ToString("N0", CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{(int)j["users"]!:N0} × {(int)j["items"]!:N0}"),
                    ((double)j["train_seconds"]!).ToString("F2", CultureInfo.InvariantCulture),
                    ((double)j["epoch_seconds"]![0]!).ToString("F3", CultureInfo.InvariantCulture),
                    p.SteadySeconds.ToString("F3", CultureInfo.InvariantCulture),
                    (perInteraction * 1e9).ToString("F1", CultureInfo.InvariantCulture),
                    ratio,
                    Megabytes((long)j["generate_peak_bytes"]!),
                    Megabytes(p.TrainPeakBytes) + (j["train_peak_bytes"] is null ? " (whole run)" : ""),
                    bytesPer.ToString("F1", CultureInfo.InvariantCulture),
                    marginal,
                    bytesPer <= BoundBytesPerInteraction ? "yes" : "no",
                ]);
                previous = p;
            }
        }
        sb.Append(MarkdownTable.Render(
            ["model", "interactions", "users × items", "fit s", "first epoch s", "epoch s", "ns per interaction", "vs previous", "peak MB, generation", "peak MB, training", "B per interaction", "marginal B per interaction", $"≤ {BoundBytesPerInteraction:F0} B"],
            rows));
        if (plots)
        {
            sb.Append("\n![Seconds per epoch against interactions, log-log](scale.png)\n![Peak memory against interactions, log-log](scale-memory.png)\n");
        }
        return sb.ToString();
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture);
}

/// <summary>What one child process reported (null <see cref="Json"/> when it failed).</summary>
internal sealed record ScalePointResult(string Model, long Size, int Users, int Items, JsonObject? Json, int ExitCode)
{
    public long Interactions => (long)Json!["interactions"]!;

    /// <summary>Mean of the epochs after the warm-up one.</summary>
    public double SteadySeconds => Json!["epoch_seconds"]!.AsArray().Skip(1).Average(s => (double)s!);

    /// <summary>The training phase's peak resident bytes, or the whole run's where the peak could not be reset.</summary>
    public long TrainPeakBytes => (long?)Json!["train_peak_bytes"] ?? (long)Json!["peak_bytes"]!;

    /// <summary>The model's factor matrices and biases.</summary>
    public long FactorBytes => (long)Json!["factor_bytes"]!;

    /// <summary>The resident set when the child started, before any data: the runtime's own footprint.</summary>
    public long BaselineBytes => (long)Json!["baseline_bytes"]!;

    public double BytesPerInteraction => (TrainPeakBytes - BaselineBytes - FactorBytes) / (double)Interactions;
}
