using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;

namespace GpuMF.Bench;

/// <summary>
/// <c>candidates [--pairs 1e6] [--users 10000] [--items 20000] [--factors 64] [--repeats 5] [--threads 0]
/// [--check-pairs 20000] [--cli PATH] [--write [bench/RESULTS.md]]</c>: candidate scoring of a million (user, item)
/// pairs on the managed CPU backend. A model of seeded random factors and pairs drawn uniformly (users interleaved, as
/// another system's output arrives); the library's <see cref="CandidateScorer.Rank"/> on lists grouped by user, its
/// pair scoring alone, and the console host end to end (<c>gpumf score --candidates</c> on the pairs as a CSV file,
/// CSV and Parquet out). The ILGPU CPU accelerator runs the device path on the first <c>--check-pairs</c> pairs as a
/// correctness check against the CPU backend, not timed: it simulates every GPU thread.
/// </summary>
internal static class CandidateRun
{
    public const string Command = "candidates";

    private const string SectionName = "candidates";
    private const string DefaultCli = "src/GpuMF.Cli/bin/Release/net10.0/GpuMF.Cli.dll";

    public static int Run(string[] args)
    {
        var options = new BenchOptions(Command, args);
        int pairs = (int)options.Long("pairs", 1_000_000, 1, 100_000_000);
        int users = options.Int("users", 10_000, 1, 10_000_000);
        int items = options.Int("items", 20_000, 1, 10_000_000);
        int factors = options.Int("factors", 64, 1, 1024);
        int repeats = options.Int("repeats", 5, 1, 100);
        int threads = options.Int("threads", 0, 0, 1024);
        int checkPairs = (int)options.Long("check-pairs", 20_000, 0, 100_000_000);
        string cli = options.Get("cli", DefaultCli);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        if (!File.Exists(cli))
        {
            throw new BenchUsageException($"the console host '{cli}' is not built: run 'dotnet build GpuMF.sln -c Release' first, or give --cli.");
        }
        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        var model = Model(users, items, factors);
        var (pairUsers, pairItems) = Pairs(pairs, users, items);
        var (listUsers, offsets, listItems) = Group(pairUsers, pairItems, users);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);

        using var scorer = CandidateScorer.Create(model, backend);
        var ranked = scorer.Rank(listUsers, offsets, listItems);
        var rankSeconds = Times(repeats, () => scorer.Rank(listUsers, offsets, listItems));
        var scores = new float[pairs];
        var pairSeconds = Times(repeats, () => scorer.ScorePairs(pairUsers, pairItems, scores));
        Console.Error.WriteLine($"candidates: Rank {rankSeconds.Min():F3} s (best), ScorePairs {pairSeconds.Min():F3} s (best)");

        string check = checkPairs > 0 ? Check(model, listUsers, offsets, listItems, checkPairs) : "not run";
        Console.Error.WriteLine($"candidates: ILGPU CPU accelerator: {check}");

        string dir = Path.Combine(Path.GetTempPath(), $"gpumf-candidates-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var host = new List<IReadOnlyList<string>>();
        string hostCommand;
        try
        {
            string modelPath = Path.Combine(dir, "model.gpumf");
            model.Save(modelPath);
            string candidates = Path.Combine(dir, "candidates.csv");
            WriteCsv(candidates, model, pairUsers, pairItems);
            hostCommand = $"gpumf score --model model.gpumf --candidates candidates.csv --out ranked.csv|ranked.parquet --backend cpu{(threads > 0 ? $" --threads {threads}" : "")} --json";
            foreach (string format in new[] { "csv", "parquet" })
            {
                var runs = new List<(double Wall, JsonObject Json)>();
                for (int r = 0; r < repeats; r++)
                {
                    string output = Path.Combine(dir, "ranked." + format);
                    runs.Add(Host(cli, [
                        "score", "--model", modelPath, "--candidates", candidates, "--out", output, "--backend", "cpu",
                        .. threads > 0 ? new[] { "--threads", threads.ToString(CultureInfo.InvariantCulture) } : [], "--json"]));
                    File.Delete(output);
                }
                double Field(string name) => Median([.. runs.Select(x => (double)x.Json[name]!)]);
                var first = runs[0].Json;
                host.Add([
                    format,
                    ((long)first["pairs"]!).ToString("N0", CultureInfo.InvariantCulture),
                    ((long)first["users"]!).ToString("N0", CultureInfo.InvariantCulture),
                    ((long)first["rows"]!).ToString("N0", CultureInfo.InvariantCulture),
                    Field("load_seconds").ToString("F3", CultureInfo.InvariantCulture),
                    Field("read_seconds").ToString("F3", CultureInfo.InvariantCulture),
                    Field("score_seconds").ToString("F3", CultureInfo.InvariantCulture),
                    Range([.. runs.Select(x => x.Wall)]),
                ]);
                Console.Error.WriteLine($"candidates: gpumf score --candidates, {format}: {Range([.. runs.Select(x => x.Wall)])} s");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        var report = new StringBuilder();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- candidates " + string.Join(' ', args)).TrimEnd();
        report.Append("## Candidate scoring (generated)\n\n")
            .Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {backend}.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n")
            .Append(CultureInfo.InvariantCulture, $"A model of {users:N0} users × {items:N0} items, {factors} factors, item biases, seeded random factors; {pairs:N0} (user, item) pairs drawn uniformly ")
            .Append(CultureInfo.InvariantCulture, $"(seed 1), users interleaved, so about {pairs / (double)users:F0} candidates a user; {ranked.Duplicates:N0} pairs repeat an earlier one. ")
            .Append(CultureInfo.InvariantCulture, $"{repeats} runs after one warm-up, best and median (the machine is shared, so the best is the least disturbed). Library: `CandidateScorer.Rank` on the pairs grouped by user (scoring, ordering ")
            .Append("each list, repeats dropped), and `ScorePairs` (the scores alone).\n\n")
            .Append(MarkdownTable.Render(["step", "pairs", "best s", "median s", "pairs/s (best)"], [
                Row("`CandidateScorer.Rank`", pairs, rankSeconds),
                Row("`CandidateScorer.ScorePairs`", pairs, pairSeconds),
            ])).Append('\n')
            .Append(CultureInfo.InvariantCulture, $"The console host end to end, `{hostCommand}`, each run a process of its own ({repeats} runs): load, read (the CSV parsed and ids resolved) and score (ranking and writing) as its JSON reports them (medians), and the wall time of the process (range).\n\n")
            .Append(MarkdownTable.Render(["out", "pairs", "users", "rows", "load s", "read s", "score s", "wall s"], host)).Append('\n')
            .Append(CultureInfo.InvariantCulture, $"Device path on ILGPU's CPU accelerator (a correctness check, not timed): the lists holding the first {checkPairs:N0} pairs ranked by the pair-scoring kernel against the CPU backend: {check}.\n");
        Console.Out.Write(report);
        if (write is not null)
        {
            ResultsSection.Write(write, SectionName, report.ToString());
            Console.Error.WriteLine($"wrote the {SectionName} section of {write}");
        }
        return 0;
    }

    private static FactorModel Model(int users, int items, int factors)
    {
        var rng = new XorShiftRandom(1, 1);
        float[] Draw(long n, float scale)
        {
            var values = new float[n];
            for (long k = 0; k < n; k++)
            {
                values[k] = scale * rng.NextGaussian();
            }
            return values;
        }
        var userFactors = Draw((long)users * factors, 0.3f);
        var itemFactors = Draw((long)items * factors, 0.3f);
        var bias = Draw(items, 0.5f);
        return new FactorModel(ModelKind.Bpr, new IdMap(Enumerable.Range(0, users).Select(u => 100_000L + u)), new IdMap(Enumerable.Range(0, items).Select(i => 500_000L + i)),
            factors, userFactors, itemFactors, null, bias, 0f, new int[users + 1], [], "{}");
    }

    private static (int[] Users, int[] Items) Pairs(int pairs, int users, int items)
    {
        var rng = new XorShiftRandom(1, 2);
        var u = new int[pairs];
        var i = new int[pairs];
        for (int p = 0; p < pairs; p++)
        {
            u[p] = rng.NextInt(users);
            i[p] = rng.NextInt(items);
        }
        return (u, i);
    }

    /// <summary>The pairs as one list per user, users in order of first appearance, items in pair order.</summary>
    private static (int[] Users, int[] Offsets, int[] Items) Group(int[] pairUsers, int[] pairItems, int users)
    {
        var listOf = new int[users];
        Array.Fill(listOf, -1);
        var order = new List<int>();
        var lengths = new List<int>();
        foreach (int u in pairUsers)
        {
            if (listOf[u] < 0)
            {
                listOf[u] = order.Count;
                order.Add(u);
                lengths.Add(0);
            }
            lengths[listOf[u]]++;
        }
        var offsets = new int[order.Count + 1];
        for (int l = 0; l < order.Count; l++)
        {
            offsets[l + 1] = offsets[l] + lengths[l];
        }
        var cursor = offsets[..^1];
        var grouped = new int[pairItems.Length];
        for (int p = 0; p < pairUsers.Length; p++)
        {
            grouped[cursor[listOf[pairUsers[p]]]++] = pairItems[p];
        }
        return ([.. order], offsets, grouped);
    }

    /// <summary>The device path on the ILGPU CPU accelerator against the CPU backend, on the lists holding the first <paramref name="pairs"/> pairs.</summary>
    private static string Check(FactorModel model, int[] users, int[] offsets, int[] items, int pairs)
    {
        int lists = Array.FindIndex(offsets, o => o >= pairs) is var at and >= 0 ? Math.Max(1, at) : users.Length;
        var someUsers = users[..lists];
        var someOffsets = offsets[..(lists + 1)];
        var someItems = items[..someOffsets[^1]];
        using var device = ComputeBackend.Create(BackendKind.IlgpuCpu);
        using var onDevice = CandidateScorer.Create(model, device);
        using var onCpu = CandidateScorer.Create(model);
        var expected = onCpu.Rank(someUsers, someOffsets, someItems);
        var actual = onDevice.Rank(someUsers, someOffsets, someItems);
        double worst = 0;
        int sameOrder = 0;
        for (int l = 0; l < lists; l++)
        {
            var e = expected.Items(l);
            var a = actual.Items(l);
            sameOrder += e.SequenceEqual(a) ? 1 : 0;
            for (int c = 0; c < a.Length; c++)
            {
                worst = Math.Max(worst, Math.Abs(actual.Scores(l)[c] - model.Score(users[l], a[c])));
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{someItems.Length:N0} pairs in {lists:N0} lists, {sameOrder:N0} lists in the same order, largest score difference {worst:G2}");
    }

    private static void WriteCsv(string path, FactorModel model, int[] users, int[] items)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("user,item\n");
        for (int p = 0; p < users.Length; p++)
        {
            writer.Write(model.Users[users[p]].ToString(CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(model.Items[items[p]].ToString(CultureInfo.InvariantCulture));
            writer.Write('\n');
        }
    }

    private static (double Wall, JsonObject Json) Host(string cli, string[] args)
    {
        string dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dotnet}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"gpumf {string.Join(' ', args)} failed ({process.ExitCode}): {errors.Result}");
        }
        return (wall, JsonNode.Parse(output.Result)!.AsObject());
    }

    private static double[] Times(int repeats, Action run)
    {
        run();
        var seconds = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            run();
            seconds[r] = clock.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string[] Row(string step, int pairs, double[] seconds) =>
    [
        step,
        pairs.ToString("N0", CultureInfo.InvariantCulture),
        seconds.Min().ToString("F3", CultureInfo.InvariantCulture),
        Median(seconds).ToString("F3", CultureInfo.InvariantCulture),
        Rate(pairs, seconds.Min()),
    ];

    private static string Range(double[] values) =>
        string.Create(CultureInfo.InvariantCulture, $"{values.Min():F2}–{values.Max():F2}");

    private static string Rate(int pairs, double seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{pairs / seconds / 1e6:F1} × 10⁶");
}
