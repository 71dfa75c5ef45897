using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GpuMF.Backends;
using GpuMF.Evaluation;
using GpuMF.Mpi;
using GpuMF.Pairwise;
using GpuMF.Svd;

namespace GpuMF.Bench;

/// <summary>
/// The SGD models of <c>mpi --models svd,bpr,warp</c>: each at its defaults on the fixed ML-1M split (explicit for SVD,
/// implicit for BPR and WARP) trained by one process and by Open MPI jobs of each rank count by stratified SGD, every
/// process on the managed CPU backend with <c>--threads</c> threads: training seconds and test RMSE (SVD) or P@10 and
/// NDCG@10 (BPR, WARP) against the one process's. Each process is this bench runner again as <c>mpi sgd-rank</c>,
/// whose rank 0 prints one JSON line.
/// </summary>
internal static class MpiRunSgd
{
    /// <summary>The first argument that makes <c>mpi</c> one process of this measurement.</summary>
    public const string RankArgument = "sgd-rank";

    public const string SectionName = "mpi-sgd";

    /// <summary>Measures <paramref name="models"/> on one process and on each of <paramref name="ranks"/> and returns the section's Markdown.</summary>
    public static string Report(string mpirun, IReadOnlyList<string> models, IReadOnlyList<int> ranks, int threads, string command)
    {
        DateTime started = DateTime.UtcNow;
        string machine = MachineInfo.Describe();
        var svd = new List<IReadOnlyList<string>>();
        var pairwise = new List<IReadOnlyList<string>>();
        var singles = new Dictionary<string, JsonObject>();
        var measured = new List<(string Model, int Ranks, JsonObject Result)>();
        foreach (string model in models)
        {
            string[] rankArgs = [MpiRun.Command, RankArgument, "--model", model, "--threads", MpiRun.Text(threads)];
            var single = MpiRun.Launch(SelfProcess.StartInfo(rankArgs));
            var runs = new List<(string Name, JsonObject Result)> { ("1 process (no MPI)", single) };
            foreach (int n in ranks)
            {
                runs.Add((n == 1 ? "1 rank" : $"{n} ranks", MpiRun.Launch(MpiRun.Mpirun(mpirun, n, rankArgs))));
            }
            singles[model] = single;
            measured.AddRange(runs.Skip(1).Select((run, n) => (model, ranks[n], run.Result)));
            foreach (var (name, result) in runs)
            {
                string Delta(string metric) => ReferenceEquals(result, single) ? "" : ((double)result[metric]! - (double)single[metric]!).ToString("+0.0000;−0.0000;0.0000", CultureInfo.InvariantCulture);
                Console.Error.WriteLine($"mpi: {model}, {name}: {result.ToJsonString()}");
                if (model == "svd")
                {
                    svd.Add([name, MpiRun.F((double)result["rmse"]!, 5), Delta("rmse"), MpiRun.F((double)result["seconds"]!, 2), Megabytes(result)]);
                }
                else
                {
                    pairwise.Add([model, name, MpiRun.F((double)result["precision_at_10"]!, 4), MpiRun.F((double)result["ndcg_at_10"]!, 4), Delta("precision_at_10"), MpiRun.F((double)result["seconds"]!, 2), Megabytes(result)]);
                }
            }
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC.\n\n")
            .Append(CultureInfo.InvariantCulture, $"Machine: {machine}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Every process on the managed CPU backend with {threads} thread(s), every rank on this machine (`mpirun --oversubscribe --bind-to none`; Open MPI's shared-memory transport); the ranks share its cores, so the times are no speed-up. Train s: the whole training, data already loaded; the test metrics are judged on the fixed test split. Received/epoch: the bytes rank 0 received from the other ranks per epoch (the item blocks passed on after each stratum, and the user and item blocks gathered at the end, counted by `MpiCommunicator`).\n\n");
        if (svd.Count > 0)
        {
            sb.Append("### SVD across MPI ranks: stratified SGD\n\n")
                .Append("SVD at its defaults (64 factors, 20 epochs) on the fixed ML-1M explicit split. Each rank owns a contiguous block of users; an epoch runs N strata, rank r training cell (r, (r + s) mod N) with the CPU engine, and after each stratum every rank passes the item block it trained (factors and bias) to the rank that trains it next (a ring shift); the user and item blocks are gathered once at the end.\n\n")
                .Append(MarkdownTable.Render(["run", "test RMSE", "against one process", "train s", "received/epoch"], svd)).Append('\n');
        }
        if (pairwise.Count > 0)
        {
            sb.Append("### BPR and WARP across MPI ranks: stratified SGD\n\n")
                .Append("BPR and WARP at their defaults on the fixed ML-1M implicit split. Users are cut into contiguous blocks, items hashed into blocks (cut in index order, which follows first appearance and so popularity, a block of popular items gave BPR negatives of one popularity only: P@10 0.13 at 2 ranks); each cell is cut into 8 slices by a hash of its positives, and an epoch runs one slice of every stratum at a time, passing the item blocks (factors, biases and adagrad sums) on after each, so a user's negatives change block often; negatives come from the cell's item block, and WARP's rank estimate counts the whole catalogue.\n\n")
                .Append(MarkdownTable.Render(["model", "run", "P@10", "NDCG@10", "against one process", "train s", "received/epoch"], pairwise));
        }
        sb.Append('\n').Append(DsgdScaleModel.Render(singles, threads)).Append(DsgdScaleModel.Calibration(measured));
        return sb.ToString();
    }

    /// <summary>One process of the measurement: an MPI rank under mpirun, else the single-process reference.</summary>
    public static int RunRank(string[] args)
    {
        var options = new BenchOptions(MpiRun.Command + " " + RankArgument, args);
        string model = options.Get("model", "svd");
        int threads = options.Int("threads", 1, 1, 1024);
        options.RejectUnknown();
        using var communicator = MpiCommunicator.LaunchedByMpirun ? MpiCommunicator.Initialize() : null;
        bool positives = model != "svd";
        string kind = positives ? "implicit" : "explicit";
        string splits = BenchData.Splits();
        var data = HoldoutData.Build(
            BenchData.Read(Path.Combine(splits, $"ml1m_{kind}_train.tsv"), positives),
            BenchData.Read(Path.Combine(splits, $"ml1m_{kind}_test.tsv"), positives));
        using var backend = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        var clock = Stopwatch.StartNew();
        var (trained, epochs) = model switch
        {
            "svd" => (new SvdTrainer(SvdOptions.Defaults, backend) { Communicator = communicator }.Fit(data.Train), SvdOptions.Defaults.Epochs),
            "bpr" => (new BprTrainer(BprOptions.Defaults, backend) { Communicator = communicator }.Fit(data.Train), BprOptions.Defaults.Epochs),
            "warp" => (new WarpTrainer(WarpOptions.Defaults, backend) { Communicator = communicator }.Fit(data.Train), WarpOptions.Defaults.Epochs),
            _ => throw new BenchUsageException($"--model must be svd, bpr or warp; got '{model}'."),
        };
        var result = new JsonObject
        {
            ["ranks"] = communicator?.Size ?? 0,
            ["seconds"] = clock.Elapsed.TotalSeconds,
            ["epochs"] = epochs,
            ["samples"] = data.Train.Count,
            ["items"] = data.Train.ItemCount,
            ["bytes_received_per_epoch"] = ((communicator?.BytesReceived ?? 0) + (communicator?.BytesGathered ?? 0)) / (double)epochs,
        };
        if (positives)
        {
            var metrics = RankingMetrics.Evaluate(trained, data.Test, 10);
            result["precision_at_10"] = metrics.Precision;
            result["ndcg_at_10"] = metrics.Ndcg;
        }
        else
        {
            result["rmse"] = RatingMetrics.Evaluate(trained, data.Test).Rmse;
        }
        if (communicator is null || communicator.Rank == 0)
        {
            Console.Out.WriteLine(result.ToJsonString());
        }
        return 0;
    }

    private static string Megabytes(JsonObject result) => MpiRun.F((double)result["bytes_received_per_epoch"]! / 1e6, 2) + " MB";
}
