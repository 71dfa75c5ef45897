using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>tune [--budget S] [--datasets ml100k,ml1m] [--models svd,als,bpr,warp] [--threads T] [--write [bench/RESULTS.md]]</c>:
/// for each fixed split and model, <see cref="Tuner.Tune"/> on a validation fifth carved from each user's training rows
/// (seed 42) within the budget, then the best options and the defaults each trained on the whole training split and
/// judged on its test split (RMSE for SVD, precision@10 and NDCG@10 for the implicit models, as the protocol measures them).
/// </summary>
internal static class TuneRun
{
    public const string Command = "tune";

    private const string SectionName = "tune";

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int budget = options.Int("budget", 120, 1, 86400);
        var datasets = options.List("datasets", ["ml100k", "ml1m"], ["ml100k", "ml1m"]);
        var models = options.List("models", ModelRegistry.All.Select(f => f.Name).ToArray(), ModelRegistry.All.Select(f => f.Name).ToArray());
        int threads = options.Int("threads", 0, 0, 1024);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string splits = BenchData.Splits();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        var rows = new List<string>();
        DateTime started = DateTime.UtcNow;
        foreach (string dataset in datasets)
        {
            foreach (var family in models.Select(ModelRegistry.Parse))
            {
                string prefix = $"{dataset}_{(family.TrainsOnPositives ? "implicit" : "explicit")}";
                var train = BenchData.Read(Path.Combine(splits, prefix + "_train.tsv"), family.TrainsOnPositives);
                var test = BenchData.Read(Path.Combine(splits, prefix + "_test.tsv"), family.TrainsOnPositives);
                var (fit, held) = Splitter.PerUserFraction(train, 0.2, 42);
                var (tuneTrain, validation) = HoldoutData.Build(fit, held);
                var clock = Stopwatch.StartNew();
                var result = Tuner.Tune(family, tuneTrain, validation, backend, TuningOptions.Defaults with { TimeBudget = TimeSpan.FromSeconds(budget) });
                double tuneSeconds = clock.Elapsed.TotalSeconds;
                var data = HoldoutData.Build(train, test);
                var defaults = Judge(family, family.DefaultOptions, data, backend);
                var tuned = Judge(family, result.BestOptions, data, backend);
                var defaultValidation = result.Trials.Where(t => t.Point == 0).MaxBy(t => t.Round)!;
                string best = string.Join(" ", result.Best.Values.Select(v => $"--{v.Key} {v.Value}").Append($"--{family.EpochUnit} {result.Best.BestEpoch}"));
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {dataset} | {family.Name} | {result.Trials.Count} ({result.Trials.Max(t => t.Round) + 1} rounds{(result.StoppedByBudget ? ", cut by the budget" : "")}) | {tuneSeconds:F0} | `{(best.Length == 0 ? "defaults" : best)}` | {Name(result.Metric)} {result.Best.Metric:F4} (defaults {defaultValidation.Metric:F4} after {defaultValidation.Epochs} {family.EpochUnit}) | {defaults} | {tuned} |"));
                Console.Error.WriteLine($"{dataset} {family.Name}: {result.Trials.Count} trials in {tuneSeconds:F0} s; test: defaults {defaults}, tuned {tuned}");
            }
        }
        var report = new StringBuilder();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- tune " + string.Join(' ', args)).TrimEnd();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Describe()}, {backend}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`Tuner.Tune` (what `gpumf tune` runs) with its defaults (27 points, successive halving by thirds, the last round at twice the model's default epochs) and a budget of {budget} s per model, on a validation fifth of each user's rows carved from the fixed training split (seed 42); the test split is used only to judge the result. The best options (their training length the epoch early stopping kept) and the defaults are then each trained on the whole training split and judged on the test split: RMSE for SVD, P@10 / NDCG@10 for the implicit models (ratings ≥ 4 as positives, seen items left out), as the protocol measures them.");
        report.AppendLine();
        report.AppendLine("| data | model | trials | tune s | best options | validation, best (defaults) | test, defaults | test, tuned |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (string row in rows)
        {
            report.AppendLine(row);
        }
        Console.Out.Write(report.ToString());
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    private static string Name(ValidationMetric metric) => metric switch
    {
        ValidationMetric.Rmse => "RMSE",
        ValidationMetric.PrecisionAt10 => "P@10",
        _ => "NDCG@10",
    };

    /// <summary>The test figure of <paramref name="options"/> trained on the whole training split.</summary>
    private static string Judge(ModelFamily family, object options, HoldoutData data, ComputeBackend backend)
    {
        var model = family.Train(options, new TrainingRequest(data.Train, null, backend, null, default, null, null, 0));
        if (!family.TrainsOnPositives)
        {
            return string.Create(CultureInfo.InvariantCulture, $"RMSE {RatingMetrics.Evaluate(model, data.Test).Rmse:F4}");
        }
        var m = RankingMetrics.Evaluate(model, data.Test);
        return string.Create(CultureInfo.InvariantCulture, $"P@10 {m.Precision:F4}, NDCG@10 {m.Ndcg:F4}");
    }
}
