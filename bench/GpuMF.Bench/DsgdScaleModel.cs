using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GpuMF.Pairwise;

namespace GpuMF.Bench;

/// <summary>
/// The scale model of stratified SGD across MPI ranks (<c>mpi --models …</c>): seconds per epoch at 10⁸–10¹⁰
/// interactions on 1–64 ranks from the per-sample time of the single process measured in the same run, the item
/// blocks the ranks pass on after every stratum (and slice), and the network <see cref="MpiRun"/>'s ALS model
/// assumes; checked against the bytes the 2- and 3-rank runs counted.
/// </summary>
internal static class DsgdScaleModel
{
    private const int Factors = 64;

    /// <summary>The section's Markdown for the models measured in <paramref name="singles"/> (their single-process runs, keyed by model).</summary>
    public static string Render(IReadOnlyDictionary<string, JsonObject> singles, int threads)
    {
        var sb = new StringBuilder();
        sb.Append("### Scale model: stratified SGD\n\n")
            .Append("Per epoch, for n interactions and I items (assumed I = n/10⁴, as in the ALS model), k = 64 factors and P ranks (one a machine, c cores each): ")
            .Append("compute = n·t_s/(P·c), every rank training a Pth of the samples; communication = P·S rounds (P strata, each cut into S slices: 1 for SVD, ")
            .Append(CultureInfo.InvariantCulture, $"{PairwiseStratum.Sweeps} for BPR and WARP) in each of which every rank passes the item block it trained to the rank that trains it next and takes its next one (a ring shift, `MPI_Sendrecv`), m = (I/P)·w·4 bytes (w floats a row: k + 1 for SVD's factors and bias, 2k + 2 for BPR's and WARP's with their adagrad sums), each costing one latency and m at the link's bandwidth, so a rank receives S·I·w·4 bytes an epoch whatever P is; the whole model is gathered only when it is wanted (validation, checkpoints, the end). ")
            .Append(CultureInfo.InvariantCulture, $"t_s: the single process above, its seconds × {threads} thread(s) / (epochs × samples); c = {MpiRun.CoresPerMachine}, threads assumed to scale linearly; network {MpiRun.NetworkBytesPerSecond * 8 / 1e9:F0} Gb/s, {MpiRun.NetworkLatency * 1e6:F0} µs a message. ")
            .Append("Not modelled: a stratum waits for its slowest rank, so imbalance between cells adds to compute. Memory: every rank holds the whole data and both factor matrices, as for ALS.\n\n");
        int[] counts = [1, 2, 4, 8, 16, 32, 64];
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (model, single) in singles)
        {
            double perSample = PerSample(single, threads);
            foreach (double n in new[] { 1e8, 1e9, 1e10 })
            {
                var cells = new List<string> { model, $"10^{Math.Log10(n):F0}" };
                int? dominates = null;
                foreach (int p in counts)
                {
                    double compute = n * perSample / (p * MpiRun.CoresPerMachine);
                    double communication = Communication(model, n / 1e4, p, MpiRun.NetworkBytesPerSecond, MpiRun.NetworkLatency);
                    double total = compute + communication;
                    cells.Add($"{MpiRun.F(total, total < 10 ? 2 : 1)} ({MpiRun.F(100 * communication / total, 0)} %)");
                    dominates ??= communication > compute ? p : null;
                }
                cells.Add(dominates is { } d ? $"{d} ranks" : "beyond 64");
                rows.Add(cells);
            }
        }
        sb.Append(CultureInfo.InvariantCulture, $"t_s measured here: {string.Join(", ", singles.Select(s => $"{s.Key} {MpiRun.F(PerSample(s.Value, threads) * 1e9, 0)} ns"))} per sample. Predicted seconds per epoch (communication's share):\n\n")
            .Append(MarkdownTable.Render(["model", "interactions", .. counts.Select(p => $"P = {p}"), "communication > compute from"], rows)).Append('\n')
            .Append("The bytes the model predicts a rank receives an epoch against what rank 0 counted in the runs above (the counted bytes also hold the user and item blocks gathered once at the end, spread over the epochs):\n\n");
        return sb.ToString();
    }

    /// <summary>Rows of (model, ranks, predicted MB, counted MB) for the multi-rank runs, appended by <see cref="MpiRunSgd"/> once it has them.</summary>
    public static string Calibration(IEnumerable<(string Model, int Ranks, JsonObject Result)> runs)
    {
        var rows = runs.Where(r => r.Ranks > 1).Select(r =>
        {
            double predicted = Slices(r.Model) * (double)(int)r.Result["items"]! * Width(r.Model) * 4;
            double counted = (double)r.Result["bytes_received_per_epoch"]!;
            return (IReadOnlyList<string>)[r.Model, r.Ranks.ToString(CultureInfo.InvariantCulture), MpiRun.F(predicted / 1e6, 2), MpiRun.F(counted / 1e6, 2), $"{MpiRun.F(100 * ((counted / predicted) - 1), 0)} %"];
        }).ToList();
        return MarkdownTable.Render(["model", "ranks", "predicted MB/epoch", "counted MB/epoch", "counted vs predicted"], rows);
    }

    /// <summary>One epoch's block passes on <paramref name="ranks"/> ranks for <paramref name="items"/> items, in seconds.</summary>
    private static double Communication(string model, double items, int ranks, double bandwidth, double latency)
    {
        if (ranks == 1)
        {
            return 0;
        }
        double message = items / ranks * Width(model) * 4;
        return (double)ranks * Slices(model) * (latency + (message / bandwidth));
    }

    /// <summary>t_s: a single process's seconds per sample on one thread, from its run of <paramref name="threads"/> threads.</summary>
    private static double PerSample(JsonObject single, int threads) => (double)single["seconds"]! * threads / ((int)single["epochs"]! * (double)(int)single["samples"]!);

    private static int Width(string model) => model == "svd" ? Factors + 1 : (2 * Factors) + 2;

    private static int Slices(string model) => model == "svd" ? 1 : PairwiseStratum.Sweeps;

}
