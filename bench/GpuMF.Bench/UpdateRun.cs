using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>update [--threads T] [--models svd,als,bpr,warp] [--seed S] [--write [bench/RESULTS.md]]</c>: the incremental-update protocol on the fixed ML-1M splits,
/// every model at its defaults on the CPU backend. Users: train without the users whose id is divisible by 10, then
/// <c>model.Update</c> with their training rows, against a full retrain on all training rows, judged on those users'
/// test rows. Items: the same with the items whose id is divisible by 10, judged on the whole test split (new items
/// change every user's list). Precision@10 for the implicit models (the user's hits among the judged test rows over
/// 10, seen items left out, over the users that have such rows), RMSE for SVD (predictions clipped to 1..5); time
/// of the update against the full retrain, both for the first call in the process and warm. <c>--seed</c> sets the
/// updates' <see cref="UpdateOptions.Seed"/> (default the default's, 7), to see how much of a gap is the draw's.
/// </summary>
internal static class UpdateRun
{
    public const string Command = "update";

    private const string SectionName = "update-protocol";

    /// <summary>Updates timed after the first, whose median is the warm time: odd, so that the median is one of them.</summary>
    private const int WarmUpdates = 3;

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int threads = options.Int("threads", 0, 0, 1024);
        var names = ModelRegistry.All.Select(f => f.Name).ToList();
        var models = options.List("models", names, names);
        var update = UpdateOptions.Defaults with { Seed = (ulong)options.Int("seed", (int)UpdateOptions.Defaults.Seed, 0, int.MaxValue) };
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string splits = BenchData.Splits();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        var rows = new List<string>();
        DateTime started = DateTime.UtcNow;
        foreach (var family in ModelRegistry.All.Where(f => models.Contains(f.Name)))
        {
            string prefix = family.TrainsOnPositives ? "ml1m_implicit" : "ml1m_explicit";
            var train = BenchData.Read(Path.Combine(splits, prefix + "_train.tsv"), family.TrainsOnPositives);
            var test = BenchData.Read(Path.Combine(splits, prefix + "_test.tsv"), family.TrainsOnPositives);
            var clock = Stopwatch.StartNew();
            var full = Train(family, train, backend);
            double fullSeconds = clock.Elapsed.TotalSeconds;
            var measured = new List<(string What, int Added, double FullScore, double UpdateScore, double Cold, double Warm)>();
            foreach (var (what, held) in new (string, Func<long, long, bool>)[] { ("users", (u, _) => u % 10 == 0), ("items", (_, i) => i % 10 == 0) })
            {
                var (kept, added) = Split(train, held);
                var first = Train(family, kept, backend);
                clock.Restart();
                var updated = first.Update(added, update, backend);
                double updateSeconds = clock.Elapsed.TotalSeconds;
                var again = new double[WarmUpdates];
                for (int n = 0; n < again.Length; n++)
                {
                    clock.Restart();
                    first.Update(added, update, backend);
                    again[n] = clock.Elapsed.TotalSeconds;
                }
                Array.Sort(again);
                // New users are judged on their own test rows; new items change every user's list, so the whole test split judges them.
                var judged = what == "users" ? Split(test, held).Held : test;
                measured.Add((what, added.Count, Score(family, full, judged), Score(family, updated, judged), updateSeconds, again[again.Length / 2]));
            }
            clock.Restart();
            Train(family, train, backend);
            double warmFullSeconds = clock.Elapsed.TotalSeconds;
            foreach (var m in measured)
            {
                string metric = family.TrainsOnPositives ? "P@10" : "RMSE";
                string gap = family.TrainsOnPositives
                    ? $"{(m.UpdateScore / m.FullScore - 1) * 100:+0.0;−0.0} %"
                    : $"{m.UpdateScore - m.FullScore:+0.0000;−0.0000}";
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {family.Name} | {m.What} | {m.Added:N0} | {metric} {m.FullScore:F4} | {m.UpdateScore:F4} | {gap} | {fullSeconds:F2} | {m.Cold:F2} ({m.Cold / fullSeconds:P0}) | {warmFullSeconds:F2} | {m.Warm:F3} ({m.Warm / warmFullSeconds:P0}) |"));
                Console.Error.WriteLine($"{family.Name} {m.What}: full {m.FullScore:F4} in {fullSeconds:F2} s ({warmFullSeconds:F2} s warm), update {m.UpdateScore:F4} in {m.Cold:F2} s ({m.Warm:F3} s warm)");
            }
        }
        var report = new StringBuilder();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- update " + string.Join(' ', args)).TrimEnd();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Describe()}, {backend}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Each model at its defaults, trained on the fixed ML-1M training split without the held-out users (or items) — ids divisible by 10 — then updated with their training rows (`model.Update`, `UpdateOptions.Defaults`{(update == UpdateOptions.Defaults ? "" : $" with seed {update.Seed}")}), against a full retrain on every training row; judged on the held-out users' test rows (users) or the whole test split (items: new items change every user's list). P@10 counts, per user, the hits among the judged test rows over 10.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Times: \"retrain s\" and \"update s\" are each the first call of its kind in the process (the retrain is the family's first training, the update its first update), so each pays for compiling its own code; \"warm\" are a second full retrain after the protocols and the median of {WarmUpdates} more updates of the same model with the same rows, all on the same backend in the same run.");
        report.AppendLine();
        report.AppendLine("| model | held out | rows added | full retrain | update | update against retrain | retrain s | update s (share) | warm retrain s | warm update s (share) |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
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

    private static FactorModel Train(ModelFamily family, RatingTable table, ComputeBackend backend) =>
        family.Train(family.DefaultOptions, new TrainingRequest(InteractionMatrix.Build(table), null, backend, null, default, null, null, 0));

    private static (RatingTable Kept, RatingTable Held) Split(RatingTable table, Func<long, long, bool> isHeld)
    {
        var kept = new RatingTable();
        var held = new RatingTable();
        for (int n = 0; n < table.Count; n++)
        {
            (isHeld(table.Users[n], table.Items[n]) ? held : kept).Add(table.Users[n], table.Items[n], table.Values[n]);
        }
        return (kept, held);
    }

    private static double Score(ModelFamily family, FactorModel model, RatingTable test)
    {
        if (!family.TrainsOnPositives)
        {
            double sq = 0;
            for (int n = 0; n < test.Count; n++)
            {
                double e = Math.Clamp(model.Predict(test.Users[n], test.Items[n]), 1f, 5f) - test.Values[n];
                sq += e * e;
            }
            return Math.Sqrt(sq / test.Count);
        }
        var byUser = Enumerable.Range(0, test.Count).GroupBy(n => test.Users[n]).Where(g => model.Users.TryGetIndex(g.Key, out _)).ToList();
        var lists = model.RecommendAll(byUser.Select(g => g.Key).ToList(), 10);
        double hits = 0;
        for (int u = 0; u < byUser.Count; u++)
        {
            var wanted = byUser[u].Select(n => test.Items[n]).ToHashSet();
            hits += lists[u].Count(r => wanted.Contains(r.Id));
        }
        return hits / (10.0 * byUser.Count);
    }
}
