using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>timesplit [--threads T] [--last 5] [--seed 42] [--write [bench/RESULTS.md]]</c>: every model at its defaults on
/// the MovieLens files that carry timestamps (ML-100K <c>u.data</c>; ML-1M users 1–2999,
/// <c>ratings_users0001-2999.dat</c>), judged on each user's N latest ratings (<see cref="Splitter.LastPerUser"/>)
/// against N random ratings per user (<see cref="Splitter.RandomPerUser"/>, the same count per user). SVD reports
/// RMSE (predictions clipped to the training range); the implicit models train and are judged on the ratings ≥ 4 of
/// each side (the protocol's convention), reporting P@10 and NDCG@10 with the seen items left out.
/// </summary>
internal static class TimeSplitRun
{
    public const string Command = "timesplit";

    private const string SectionName = "timesplit";
    private const int K = 10;
    private const float PositiveFrom = 4f;

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int threads = options.Int("threads", 0, 0, 1024);
        int last = options.Int("last", 5, 1, 1000);
        ulong seed = (ulong)options.Long("seed", 42, 0, long.MaxValue);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string root = BenchData.Root("ml-100k/ and ml-1m/");
        (string Name, string Path, RatingFileFormat Format)[] sets =
        [
            ("ML-100K", System.IO.Path.Combine(root, "ml-100k", "u.data"), RatingFileFormat.Tsv),
            ("ML-1M, users 1–2999", System.IO.Path.Combine(root, "ml-1m", "ratings_users0001-2999.dat"), RatingFileFormat.MovieLens),
        ];
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        DateTime started = DateTime.UtcNow;
        var rows = new List<string>();
        foreach (var (name, path, format) in sets)
        {
            var table = RatingFileReader.Read(path, format with { TimeColumn = 3 });
            var splits = new (string Name, (RatingTable Train, RatingTable Test) Split)[]
            {
                ($"last {last}", Splitter.LastPerUser(table, last)),
                ($"random {last}", Splitter.RandomPerUser(table, last, seed)),
            };
            foreach (var family in ModelRegistry.All)
            {
                foreach (var (splitName, (train, test)) in splits)
                {
                    var clock = Stopwatch.StartNew();
                    string row = family.TrainsOnPositives
                        ? Ranking(family, train, test, backend)
                        : Rating(family, train, test, backend);
                    Console.Error.WriteLine($"{name} {family.Name} {splitName}: {row} ({clock.Elapsed.TotalSeconds:F1} s)");
                    rows.Add($"| {name} | {family.Name} | {splitName} | {row} |");
                }
            }
        }
        var report = new StringBuilder();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- timesplit " + string.Join(' ', args)).TrimEnd();
        report.AppendLine("## Time-aware splits (generated)");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC. {MachineInfo.Describe()} Backend: {backend}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Each model at its defaults. `last {last}`: each user's {last} latest ratings held out (`Splitter.LastPerUser`; a user with {last} ratings or fewer keeps the earliest in training); `random {last}`: as many ratings per user held out at random (`Splitter.RandomPerUser`, seed {seed}). ML-1M: the users 1–2999, the only ones whose timestamps are at hand. svd: RMSE on every held-out rating, and clipped to the training range. als, bpr, warp: trained on the training ratings ≥ 4 as positives and judged on the held-out ratings ≥ 4 (users with none are not judged), seen items left out; P@{K} and NDCG@{K} with implicit's definitions (`RankingMetrics`).");
        report.AppendLine();
        report.AppendLine("| data | model | held out | test rows | users judged | RMSE | RMSE clipped | P@10 | NDCG@10 |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (string row in rows)
        {
            report.AppendLine(row);
        }
        report.AppendLine();
        report.AppendLine("Why the time split scores lower: a random split holds out ratings from anywhere in a user's history, so the model trains on the ratings made after them (the future leaks into training: what was popular later, the user's later tastes), while the time split asks it to predict what each user rated next from what came before, including movies released or discovered after most of the training data; that is the task a deployed recommender faces, so its figures are the ones to expect in use.");
        Console.Out.Write(report.ToString());
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    private static FactorModel Train(ModelFamily family, InteractionMatrix train, ComputeBackend backend) =>
        family.Train(family.DefaultOptions, new TrainingRequest(train, null, backend, null, default, null, null, 0));

    private static string Rating(ModelFamily family, RatingTable trainRows, RatingTable testRows, ComputeBackend backend)
    {
        var (train, test) = HoldoutData.Build(trainRows, testRows);
        var model = Train(family, train, backend);
        var (min, max) = RatingMetrics.ObservedRange(train);
        var m = RatingMetrics.Evaluate(model, test, min, max);
        return string.Create(CultureInfo.InvariantCulture, $"{test.Count:N0} | {CountUsers(test):N0} | {m.Rmse:F4} | {m.ClippedRmse:F4} |  |  ");
    }

    private static string Ranking(ModelFamily family, RatingTable trainRows, RatingTable testRows, ComputeBackend backend)
    {
        var (train, test) = HoldoutData.Build(trainRows.Positives(PositiveFrom), testRows.Positives(PositiveFrom));
        var model = Train(family, train, backend);
        var m = RankingMetrics.Evaluate(model, test, K);
        return string.Create(CultureInfo.InvariantCulture, $"{test.Count:N0} | {m.Users:N0} |  |  | {m.Precision:F4} | {m.Ndcg:F4}");
    }

    private static int CountUsers(InteractionMatrix test)
    {
        int users = 0;
        for (int u = 0; u < test.UserCount; u++)
        {
            users += test.UserPtr[u + 1] > test.UserPtr[u] ? 1 : 0;
        }
        return users;
    }
}
