using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;

namespace GpuMF.Bench;

/// <summary>
/// <c>devices [--models als,svd,bpr,warp] [--factors K] [--iterations N] [--solver cg|cholesky] [--users U] [--epochs E] [--write [bench/RESULTS.md]]</c>:
/// for als (the default), ALS on
/// the fixed ML-1M implicit split (or its users with ids up to U: the CPU accelerator simulates every GPU thread, and the
/// whole split takes it tens of minutes per iteration on a small machine) on ILGPU's CPU accelerator, four ways from the same start: one device holding everything, one
/// device streaming the interactions through a budget of a quarter of what that needs, and the rows split over two
/// and three simulated devices. Time per iteration, bytes copied between host and devices per iteration, chunks per
/// device, the largest factor difference from the in-memory run, and P@10 on the test split. For svd, bpr and warp,
/// the same four ways by stratified SGD on ML-100K for <c>--epochs</c> epochs (<see cref="DevicesRunSgd"/>), in a section of their own.
/// </summary>
internal static class DevicesRun
{
    public const string Command = "devices";

    private const string SectionName = "als-devices";

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        var models = options.List("models", ["als"], ["als", "svd", "bpr", "warp"]);
        int factors = options.Int("factors", 16, 1, 1024);
        int iterations = options.Int("iterations", 2, 1, 100);
        string solverName = options.Get("solver", "cg");
        int users = options.Int("users", 0, 0, int.MaxValue);
        int epochs = options.Int("epochs", 3, 1, 1000);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- devices " + string.Join(' ', args)).TrimEnd();
        var sgd = models.Where(m => m != "als").ToList();
        if (sgd.Count > 0)
        {
            ResultsSection.Publish(DevicesRunSgd.Report(sgd, factors, epochs, command), DevicesRunSgd.SectionName, write);
        }
        return models.Contains("als") ? RunAls(factors, iterations, solverName, users, write, command) : 0;
    }

    private static int RunAls(int factors, int iterations, string solverName, int users, string? write, string command)
    {
        var solver = solverName switch
        {
            "cg" => AlsSolver.ConjugateGradient,
            "cholesky" => AlsSolver.Cholesky,
            _ => throw new BenchUsageException($"--solver must be cg or cholesky; got '{solverName}'."),
        };
        string splits = BenchData.Splits();
        var data = HoldoutData.Build(
            Users(RatingFileReader.Read(Path.Combine(splits, "ml1m_implicit_train.tsv")).Positives(), users),
            Users(RatingFileReader.Read(Path.Combine(splits, "ml1m_implicit_test.tsv")).Positives(), users));
        var als = AlsOptions.Defaults with { Factors = factors, Iterations = iterations, Solver = solver };
        DateTime started = DateTime.UtcNow;
        var rows = new List<string>();
        float[]? reference = null;
        double referenceSeconds = 0;
        using (var one = ComputeBackend.Create(BackendKind.IlgpuCpu))
        {
            long whole = one.MemoryBudget;
            var inMemory = Measure("1 device, in memory", one, data, als, ref reference);
            referenceSeconds = inMemory.Seconds;
            rows.Add(inMemory.Row(referenceSeconds));
            one.MemoryBudget = IlgpuAlsEngine.Footprint(one, AlsProblemOf(data.Train, als)).Bytes / 4;
            rows.Add(Measure("1 device, streamed (budget ¼)", one, data, als, ref reference).Row(referenceSeconds));
            one.MemoryBudget = whole;
        }
        foreach (int count in new[] { 2, 3 })
        {
            using var group = ComputeBackend.CreateGroup(BackendKind.IlgpuCpu, [.. Enumerable.Range(0, count)]);
            rows.Add(Measure($"{count} devices", group, data, als, ref reference).Row(referenceSeconds));
        }
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Describe()}");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"ALS (k = {factors}, {iterations} iteration{(iterations == 1 ? "" : "s")}, {(solver == AlsSolver.Cholesky ? "Cholesky" : "conjugate gradient")}) on the fixed ML-1M implicit training split{(users > 0 ? $" restricted to the users with ids 1–{users}" : "")} ({data.Train.Count:N0} positives, {data.Train.UserCount:N0} users × {data.Train.ItemCount:N0} items), every run from the same initial factors, all on ILGPU's CPU accelerator, which simulates GPU threads on this machine's cores: the devices of the 2- and 3-device runs share those cores, so these rows measure the bookkeeping (copies, chunks, the Gram matrix sent to every device), not a speed-up. No run here is on a GPU, and ALS on several GPUs has not been run on real GPUs. Bytes copied counts host↔device traffic of interactions, factors and Gram matrices per iteration (the in-memory engine copies none of these once uploaded). Max |Δ| is the largest difference of any factor from the in-memory run; P@10 is judged on the test split.");
        report.AppendLine();
        report.AppendLine("| run | chunks per device (users/items) | s per iteration | vs in memory | bytes copied per iteration | max \\|Δ\\| vs in memory | P@10 |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (string row in rows)
        {
            report.AppendLine(row);
        }
        ResultsSection.Publish(report.ToString(), SectionName, write);
        return 0;
    }

    /// <summary>The rows of users with ids up to <paramref name="last"/>; every row for 0.</summary>
    private static RatingTable Users(RatingTable table, int last)
    {
        if (last == 0)
        {
            return table;
        }
        var kept = new RatingTable();
        for (int n = 0; n < table.Count; n++)
        {
            if (table.Users[n] <= last)
            {
                kept.Add(table.Users[n], table.Items[n], table.Values[n]);
            }
        }
        return kept;
    }

    private static AlsProblem AlsProblemOf(InteractionMatrix train, AlsOptions options) =>
        AlsProblem.Create(train, new float[train.UserCount * options.Factors], new float[train.ItemCount * options.Factors], options);

    /// <summary>Trains on <paramref name="backend"/> through the engine its factory picks; the first run's factors become <paramref name="reference"/>.</summary>
    private static Result Measure(string name, ComputeBackend backend, HoldoutData data, AlsOptions options, ref float[]? reference)
    {
        var run = new AlsRun(options, data.Train);
        using var engine = backend.CreateEngine(run.Engines);
        var partitioned = engine as PartitionedAlsEngine;
        long bytesBefore = partitioned?.BytesCopied ?? 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < options.Iterations; i++)
        {
            engine.Solve(AlsSide.Items);
            Console.Error.WriteLine($"{name}: iteration {i + 1}, items solved at {clock.Elapsed.TotalSeconds:F1} s");
            engine.Solve(AlsSide.Users);
            Console.Error.WriteLine($"{name}: iteration {i + 1}, users solved at {clock.Elapsed.TotalSeconds:F1} s");
        }
        double seconds = clock.Elapsed.TotalSeconds / options.Iterations;
        long bytes = ((partitioned?.BytesCopied ?? 0) - bytesBefore) / options.Iterations;
        run.CopyBack(engine);
        var model = run.Assemble(options.Iterations);
        float[] factors = [.. model.UserFactors, .. model.ItemFactors];
        reference ??= factors;
        double maxDelta = 0;
        for (int n = 0; n < factors.Length; n++)
        {
            maxDelta = Math.Max(maxDelta, Math.Abs(factors[n] - reference[n]));
        }
        string chunks = partitioned is null
            ? "whole (resident)"
            : string.Join(", ", partitioned.Layout.Select(p => p.Resident ? "whole" : $"{p.Users}/{p.Items}"));
        double precision = RankingMetrics.Evaluate(model, data.Test).Precision;
        Console.Error.WriteLine($"{name}: {seconds:F2} s per iteration, {bytes:N0} bytes, max |Δ| {maxDelta:G3}, P@10 {precision:F4}");
        return new Result(name, chunks, seconds, bytes, maxDelta, precision);
    }

    private sealed record Result(string Name, string Chunks, double Seconds, long Bytes, double MaxDelta, double Precision)
    {
        public string Row(double referenceSeconds) => string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {Chunks} | {Seconds:F2} | {Seconds / referenceSeconds:F2}× | {Bytes / 1048576.0:F1} MiB | {MaxDelta:G3} | {Precision:F4} |");
    }
}
