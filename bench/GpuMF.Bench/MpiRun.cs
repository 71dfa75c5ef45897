using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <c>mpi [--models als,svd,bpr,warp] [--ranks 1,2,3] [--factors 64] [--iterations 10] [--threads 1] [--probe-mib 64] [--write [bench/RESULTS.md]]</c>:
/// for als (the default), ALS on ML-1M's implicit split as one process and as Open MPI jobs of each rank count on this machine
/// (<c>mpirun --bind-to none</c>, each rank with <c>--threads</c> threads): seconds per iteration, bytes allgathered
/// per iteration, P@10 and whether the factors equal one process's; the local allreduce and allgather bandwidth and
/// the small-message allreduce latency; and from these a scale model at 10⁸–10¹⁰ interactions on 1–64 ranks under a
/// stated network. Each job runs this bench runner again as <c>mpi rank</c>, whose rank 0 prints one JSON line. For
/// svd, bpr and warp, stratified SGD at the models' defaults against one process (<see cref="MpiRunSgd"/>), in a section of their own.
/// </summary>
internal static class MpiRun
{
    public const string Command = "mpi";

    /// <summary>The first argument that makes <c>mpi</c> one process of the measurement.</summary>
    private const string RankArgument = "rank";

    private const string SectionName = "mpi";

    /// <summary>The network of the scale model: 100 Gb/s links, 5 µs a message, 32 cores a machine (one rank each).</summary>
    internal const double NetworkBytesPerSecond = 100e9 / 8;
    internal const double NetworkLatency = 5e-6;
    internal const int CoresPerMachine = 32;

    public static int Run(string[] args)
    {
        if (args is [RankArgument, .. var rest])
        {
            return RunRank(rest);
        }
        if (args is [MpiRunSgd.RankArgument, .. var sgdRest])
        {
            return MpiRunSgd.RunRank(sgdRest);
        }
        var options = new BenchOptions(Command, args);
        var models = options.List("models", ["als"], ["als", "svd", "bpr", "warp"]);
        var ranks = options.List("ranks", ["1", "2", "3"]).Select(r => int.TryParse(r, out int n) && n is >= 1 and <= 64 ? n : throw new BenchUsageException($"--ranks: '{r}' is not a rank count in 1..64.")).ToList();
        int factors = options.Int("factors", 64, 1, 1024);
        int iterations = options.Int("iterations", 10, 2, 1000);
        int threads = options.Int("threads", 1, 1, 1024);
        int probe = options.Int("probe-mib", 64, 1, 4096);
        string? write = options.Optional("write", "bench/RESULTS.md");
        options.RejectUnknown();
        string mpirun = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists)
            ?? throw new BenchUsageException("mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev).");
        _ = BenchData.Splits();
        string command = ("dotnet run -c Release --project bench/GpuMF.Bench -- mpi " + string.Join(' ', args)).TrimEnd();
        var sgd = models.Where(m => m != "als").ToList();
        if (sgd.Count > 0)
        {
            ResultsSection.Publish(MpiRunSgd.Report(mpirun, sgd, ranks, threads, command), MpiRunSgd.SectionName, write);
        }
        return models.Contains("als") ? RunAls(mpirun, ranks, factors, iterations, threads, probe, write, command) : 0;
    }

    /// <summary>How to start <paramref name="ranks"/> ranks of the bench runner with <paramref name="args"/> on this machine.</summary>
    internal static ProcessStartInfo Mpirun(string mpirun, int ranks, IEnumerable<string> args)
    {
        var self = SelfProcess.StartInfo(args);
        var start = new ProcessStartInfo(mpirun) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in (string[])["--oversubscribe", "--allow-run-as-root", "--bind-to", "none", "-x", "TERM=dumb", "-np", Text(ranks), self.FileName, .. self.ArgumentList])
        {
            start.ArgumentList.Add(a);
        }
        return start;
    }

    private static int RunAls(string mpirun, IReadOnlyList<int> ranks, int factors, int iterations, int threads, int probe, string? write, string command)
    {
        string machine = MachineInfo.Describe();
        DateTime started = DateTime.UtcNow;
        string[] rankArgs = [Command, RankArgument, "--factors", Text(factors), "--iterations", Text(iterations), "--threads", Text(threads), "--probe-mib", Text(probe)];

        var single = Launch(SelfProcess.StartInfo(rankArgs));
        Console.Error.WriteLine($"mpi: one process: {(double)single["seconds_per_iteration"]!:F3} s/iteration");
        var jobs = new List<JsonObject>();
        foreach (int n in ranks)
        {
            jobs.Add(Launch(Mpirun(mpirun, n, rankArgs)));
            Console.Error.WriteLine($"mpi: {n} rank(s): {(double)jobs[^1]["seconds_per_iteration"]!:F3} s/iteration");
        }

        ResultsSection.Publish(Report(command, started, machine, single, jobs, factors, iterations, threads, probe), SectionName, write);
        return 0;
    }

    /// <summary>One process of the measurement: an MPI rank under mpirun, else the single-process reference.</summary>
    private static int RunRank(string[] args)
    {
        var options = new BenchOptions(Command + " " + RankArgument, args);
        int factors = options.Int("factors", 64, 1, 1024);
        int iterations = options.Int("iterations", 10, 2, 1000);
        int threads = options.Int("threads", 1, 1, 1024);
        int probe = options.Int("probe-mib", 64, 1, 4096);
        options.RejectUnknown();
        using var communicator = MpiCommunicator.LaunchedByMpirun ? MpiCommunicator.Initialize() : null;
        var result = new JsonObject { ["ranks"] = communicator?.Size ?? 0, ["threads"] = threads };
        if (communicator is { Size: > 1 })
        {
            Probe(communicator, probe, result);
        }
        string splits = BenchData.Splits();
        var data = HoldoutData.Build(RatingFileReader.Read(Path.Combine(splits, "ml1m_implicit_train.tsv")).Positives(), RatingFileReader.Read(Path.Combine(splits, "ml1m_implicit_test.tsv")).Positives());
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        var ends = new List<TimeSpan>();
        var options0 = AlsOptions.Defaults with { Factors = factors, Iterations = iterations };
        long probed = communicator?.BytesGathered ?? 0;
        var model = new AlsTrainer(options0, backend) { Communicator = communicator }.Fit(data.Train, new InlineProgress<EpochReport>(r => ends.Add(r.Elapsed)));
        var perIteration = ends.Zip(ends.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
        var train = data.Train;
        result["interactions"] = train.Count;
        result["users"] = train.UserCount;
        result["items"] = train.ItemCount;
        result["seconds_per_iteration"] = perIteration[perIteration.Count / 2];
        result["bytes_gathered_per_iteration"] = ((communicator?.BytesGathered ?? 0) - probed) / (double)iterations;
        result["precision_at_10"] = RankingMetrics.Evaluate(model, data.Test, 10).Precision;
        result["factors_sha256"] = Convert.ToHexString(SHA256.HashData(MemoryMarshal.AsBytes<float>([.. model.UserFactors, .. model.ItemFactors])));
        if (communicator is null)
        {
            result["gram_seconds_per_row_k2"] = GramRate(train.UserCount + train.ItemCount, factors);
        }
        if (communicator is null || communicator.Rank == 0)
        {
            Console.Out.WriteLine(result.ToJsonString());
        }
        return 0;
    }

    /// <summary>Allreduce and allgather of <paramref name="mib"/> MiB (best of 5 after a warm-up) and the latency of a one-double allreduce (mean of 1,000).</summary>
    private static void Probe(MpiCommunicator communicator, int mib, JsonObject result)
    {
        var doubles = new double[mib * (1 << 20) / sizeof(double)];
        double reduce = Best(communicator, () => communicator.SumInPlace(doubles));
        const int width = 64;
        int rows = mib * (1 << 20) / (width * sizeof(float));
        var floats = new float[(long)rows * width];
        var bounds = Enumerable.Range(0, communicator.Size + 1).Select(r => (int)((long)rows * r / communicator.Size)).ToArray();
        double gather = Best(communicator, () => communicator.AllgatherRows(floats, width, bounds));
        var one = new double[1];
        communicator.Barrier();
        var clock = Stopwatch.StartNew();
        for (int n = 0; n < 1000; n++)
        {
            communicator.SumInPlace(one);
        }
        double latency = clock.Elapsed.TotalSeconds / 1000;
        long bytes = (long)mib << 20;
        result["allreduce_bytes_per_second"] = bytes / reduce;
        // An allgather's bandwidth counts what each rank receives: all but its own share.
        result["allgather_bytes_per_second"] = bytes * (communicator.Size - 1) / (double)communicator.Size / gather;
        result["allreduce_latency_seconds"] = latency;
    }

    private static double Best(MpiCommunicator communicator, Action collective)
    {
        collective();
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            communicator.Barrier();
            var clock = Stopwatch.StartNew();
            collective();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>Seconds per row and per k² of the Gram matrix on one thread (best of 3): the part every rank computes whole.</summary>
    private static double GramRate(int rows, int k)
    {
        var factors = new float[(long)rows * k];
        for (long n = 0; n < factors.LongLength; n++)
        {
            factors[n] = (float)(n % 7) * 0.01f;
        }
        var gram = new float[k * k];
        double best = double.MaxValue;
        for (int r = 0; r < 4; r++)
        {
            var clock = Stopwatch.StartNew();
            CpuAlsEngine.Gram(factors, rows, k, 1f, gram, 1);
            best = r == 0 ? best : Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best / rows / k / k;
    }

    /// <summary>Runs a measurement process and returns the JSON line it printed last.</summary>
    internal static JsonObject Launch(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"'{start.FileName} {string.Join(' ', start.ArgumentList)}' failed (exit code {process.ExitCode}).");
        }
        return (JsonObject)JsonNode.Parse(line)!;
    }

    private static string Report(string command, DateTime started, string machine, JsonObject single, List<JsonObject> jobs, int factors, int iterations, int threads, int probe)
    {
        long nnz = (long)single["interactions"]!;
        int users = (int)single["users"]!, items = (int)single["items"]!;
        double oneRank = (double)single["seconds_per_iteration"]!;
        double gram = (double)single["gram_seconds_per_row_k2"]!;
        // Per interaction and side on one thread, less the Gram part (computed whole on every rank).
        double perInteraction = (oneRank * threads - gram * (users + items) * factors * factors) / (2.0 * nnz);
        var sb = new StringBuilder();
        sb.Append("## ALS across MPI ranks (generated)\n\n")
            .Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n")
            .Append(CultureInfo.InvariantCulture, $"ML-1M implicit split ({nnz:N0} interactions, {users:N0} users × {items:N0} items), ALS defaults with {factors} factors, {iterations} iterations; ")
            .Append(CultureInfo.InvariantCulture, $"each rank on the managed CPU backend with {threads} thread(s), every rank on this machine (`mpirun --oversubscribe --bind-to none`; Open MPI's shared-memory transport). ")
            .Append("s/iteration: the median iteration. Gathered: the bytes rank 0 received by allgather per iteration (measured). Same factors: SHA-256 of the factors equal to the single process's. ")
            .Append(CultureInfo.InvariantCulture, $"Bandwidths: allreduce of {probe} MiB of doubles, allgather of {probe} MiB of floats (counting the bytes each rank receives), best of 5; latency: a one-double allreduce, mean of 1,000.\n\n");
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "1 process (no MPI)", F(oneRank, 3), "0", F((double)single["precision_at_10"]!, 4), "—", "—", "—", "—" },
        };
        foreach (var job in jobs)
        {
            int p = (int)job["ranks"]!;
            string Probed(string name, double scale, int digits) => p > 1 ? F((double)job[name]! * scale, digits) : "—";
            rows.Add([
                p == 1 ? "1 rank" : $"{p} ranks",
                F((double)job["seconds_per_iteration"]!, 3),
                F((double)job["bytes_gathered_per_iteration"]! / 1e6, 2) + " MB",
                F((double)job["precision_at_10"]!, 4),
                (string)job["factors_sha256"]! == (string)single["factors_sha256"]! ? "yes" : "no",
                Probed("allreduce_bytes_per_second", 1e-9, 2),
                Probed("allgather_bytes_per_second", 1e-9, 2),
                Probed("allreduce_latency_seconds", 1e6, 1),
            ]);
        }
        sb.Append(MarkdownTable.Render(["run", "s/iteration", "gathered/iteration", "P@10", "same factors", "allreduce GB/s", "allgather GB/s", "allreduce µs"], rows)).Append('\n');

        sb.Append("### Scale model\n\n")
            .Append("Per iteration, for n interactions, U users and I items (assumed U = n/100, I = n/10⁴), k factors and P ranks: ")
            .Append("compute = 2·n·t_nz/(P·c) for the rows each rank solves (every interaction is read once per side) + (U + I)·k²·t_g/c for the two Gram matrices (of the users, then of the items), which every rank computes whole; ")
            .Append("communication = the allgather of both sides, (U + I)·k·4 bytes·(P − 1)/P received by each rank at the link's bandwidth, plus (P − 1) message latencies (ring), and 2 one-double allreduces (2·log₂P latencies). ")
            .Append(CultureInfo.InvariantCulture, $"t_nz = {perInteraction * 1e9:F1} ns per interaction and side on one thread (the single process above, less its Gram part), t_g = {gram * 1e9:F3} ns per row and k² on one thread (`CpuAlsEngine.Gram`, measured in the single process); ")
            .Append(CultureInfo.InvariantCulture, $"c = {CoresPerMachine} cores a machine, one rank a machine, threads assumed to scale linearly; network: {NetworkBytesPerSecond * 8 / 1e9:F0} Gb/s, {NetworkLatency * 1e6:F0} µs a message. ")
            .Append(CultureInfo.InvariantCulture, $"Memory: each rank holds both whole factor matrices ((U + I)·k·4 bytes: {Gb(1e8, factors)}, {Gb(1e9, factors)} and {Gb(1e10, factors)} GB at 10⁸, 10⁹, 10¹⁰ interactions) and the whole data, which bounds the model size by one machine's memory.\n\n");
        int[] counts = [1, 2, 4, 8, 16, 32, 64];
        var scale = new List<IReadOnlyList<string>>();
        foreach (double n in new[] { 1e8, 1e9, 1e10 })
        {
            var cells = new List<string> { $"10^{Math.Log10(n):F0}" };
            int? dominates = null;
            foreach (int p in counts)
            {
                var (compute, communication) = Predict(n, n / 100, n / 1e4, factors, p, CoresPerMachine, perInteraction, gram, NetworkBytesPerSecond, NetworkLatency);
                cells.Add($"{F(compute + communication, compute + communication < 10 ? 2 : 1)} ({F(100 * communication / (compute + communication), 0)} %)");
                dominates ??= communication > compute ? p : null;
            }
            cells.Add(dominates is { } d ? $"{d} ranks" : "beyond 64");
            scale.Add(cells);
        }
        sb.Append("Predicted seconds per iteration (communication's share):\n\n")
            .Append(MarkdownTable.Render(["interactions", .. counts.Select(p => $"P = {p}"), "communication > compute from"], scale)).Append('\n');

        sb.Append("Calibration: the model with this machine's figures in place of the network's (the measured allgather bandwidth and allreduce latency, ")
            .Append(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores shared by the ranks, ML-1M's own shape) against the runs above:\n\n");
        var calibration = new List<IReadOnlyList<string>>();
        foreach (var job in jobs.Where(j => (int)j["ranks"]! > 1))
        {
            int p = (int)job["ranks"]!;
            double cores = Math.Min(p * threads, Environment.ProcessorCount) / (double)p;
            var (compute, communication) = Predict(nnz, users, items, factors, p, cores, perInteraction, gram, (double)job["allgather_bytes_per_second"]!, (double)job["allreduce_latency_seconds"]!);
            double measured = (double)job["seconds_per_iteration"]!;
            calibration.Add([Text(p), F(compute, 3), F(communication, 4), F(compute + communication, 3), F(measured, 3), $"{F(100 * (measured / (compute + communication) - 1), 0)} %"]);
        }
        sb.Append(MarkdownTable.Render(["ranks", "compute s", "communication s", "predicted s", "measured s", "measured vs predicted"], calibration));
        return sb.ToString();
    }

    /// <summary>The scale model's (compute, communication) seconds of one iteration; see the report's text.</summary>
    private static (double Compute, double Communication) Predict(double n, double users, double items, int k, int ranks, double cores, double perInteraction, double gram, double bandwidth, double latency)
    {
        double compute = 2 * n * perInteraction / (ranks * cores) + (users + items) * k * k * gram / cores;
        double communication = ranks == 1 ? 0 : (users + items) * k * 4.0 * (ranks - 1) / ranks / bandwidth + (ranks - 1) * latency * 2 + 2 * Math.Log2(ranks) * latency;
        return (compute, communication);
    }

    private static string Gb(double n, int k) => F((n / 100 + n / 1e4) * k * 4 / 1e9, 1);

    /// <summary>A figure with <paramref name="digits"/> decimals, invariant culture: the MPI sections' one format.</summary>
    internal static string F(double value, int digits) => value.ToString("F" + Text(digits), CultureInfo.InvariantCulture);

    internal static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
