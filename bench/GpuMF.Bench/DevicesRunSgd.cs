using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// The SGD models of <c>devices --models svd,bpr,warp</c>: each on the fixed ML-100K split (explicit for SVD, implicit
/// for BPR and WARP) on ILGPU's CPU accelerator, four ways from the same start: one device holding everything, one
/// device streaming the cells of a stratified-SGD grid through a budget of a quarter of what that needs, and the grid
/// spread over two and three simulated devices. The grid, seconds and host↔device bytes per epoch, and test RMSE
/// (SVD) or P@10 (BPR, WARP).
/// </summary>
internal static class DevicesRunSgd
{
    public const string SectionName = "sgd-devices";

    /// <summary>Measures <paramref name="models"/> and returns the section's Markdown.</summary>
    public static string Report(IReadOnlyList<string> models, int factors, int epochs, string command)
    {
        DateTime started = DateTime.UtcNow;
        string splits = BenchData.Splits();
        var rows = new List<IReadOnlyList<string>>();
        foreach (string model in models)
        {
            bool positives = model != "svd";
            string kind = positives ? "implicit" : "explicit";
            var data = HoldoutData.Build(
                BenchData.Read(Path.Combine(splits, $"ml100k_{kind}_train.tsv"), positives),
                BenchData.Read(Path.Combine(splits, $"ml100k_{kind}_test.tsv"), positives));
            Result? reference = null;
            using (var one = ComputeBackend.Create(BackendKind.IlgpuCpu))
            {
                long whole = one.MemoryBudget;
                reference = Measure(model, "1 device, in memory", one, data, factors, epochs);
                rows.Add(reference.Row(model, reference));
                one.MemoryBudget = InMemoryBytes(model, one, data.Train, factors) / 4;
                rows.Add(Measure(model, "1 device, streamed (budget ¼)", one, data, factors, epochs).Row(model, reference));
                one.MemoryBudget = whole;
            }
            foreach (int count in new[] { 2, 3 })
            {
                using var group = ComputeBackend.CreateGroup(BackendKind.IlgpuCpu, [.. Enumerable.Range(0, count)]);
                rows.Add(Measure(model, $"{count} devices", group, data, factors, epochs).Row(model, reference));
            }
        }
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"`{command}` on {started:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Describe()}");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"{string.Join(", ", models.Select(m => m.ToUpperInvariant()))} at their defaults but for k = {factors} and {epochs} epoch{(epochs == 1 ? "" : "s")}, on the fixed ML-100K splits (explicit for SVD, implicit for BPR and WARP), every run from the same initial factors, all on ILGPU's CPU accelerator, which simulates GPU threads on this machine's cores: the devices of the 2- and 3-device runs share those cores, so these rows measure the schedule's bookkeeping (a single-device engine made per cell or slice, parameters copied in and out every stratum), not a speed-up. No run here is on a GPU; SGD on several GPUs or streamed through one has not been run on real GPUs. Grid: G × G cells of user and item blocks (stratified SGD), and whether every device keeps its cells resident across epochs (else they stream through it one at a time); BPR and WARP cut each cell into 8 slices. Bytes copied: host↔device traffic per epoch, counted by the grid engines (the in-memory engine, shown as 0, copies only its loss partials once its data are uploaded). Quality: test RMSE (SVD) or P@10 (BPR, WARP) on the test split; Δ against the in-memory run.");
        report.AppendLine();
        report.Append(MarkdownTable.Render(["model", "run", "grid", "s per epoch", "vs in memory", "bytes copied per epoch", "test RMSE / P@10", "Δ vs in memory"], rows));
        return report.ToString();
    }

    /// <summary>What the one-device in-memory engine of <paramref name="model"/> allocates.</summary>
    private static long InMemoryBytes(string model, ComputeBackend device, InteractionMatrix train, int factors) => model == "svd"
        ? IlgpuSgdEngine.Footprint(device, train.Count, train.UserCount, train.ItemCount, factors, 0).Bytes
        : IlgpuPairwiseEngine.Footprint(device, PairwiseRun.CreateProblem(Settings(model, factors, 1), train), 0).Bytes;

    private static PairwiseSettings Settings(string model, int factors, int epochs) => model == "bpr"
        ? (BprOptions.Defaults with { Factors = factors, Epochs = epochs }).ToSettings()
        : (WarpOptions.Defaults with { Factors = factors, Epochs = epochs }).ToSettings();

    private static Result Measure(string model, string name, ComputeBackend backend, HoldoutData data, int factors, int epochs) => model == "svd"
        ? Measure(name, backend, new SvdRun(SvdOptions.Defaults with { Factors = factors, Epochs = epochs }, data.Train, 0), m => RatingMetrics.Evaluate(m, data.Test).Rmse)
        : Measure(name, backend, new PairwiseRun(Settings(model, factors, epochs), data.Train, 0), m => RankingMetrics.Evaluate(m, data.Test).Precision);

    /// <summary>Trains <paramref name="run"/> on <paramref name="backend"/> through the engine its factory picks, timing each epoch.</summary>
    private static Result Measure<TEngine>(string name, ComputeBackend backend, TrainingRun<TEngine> run, Func<FactorModel, double> quality) where TEngine : ITrainingEngine
    {
        using var engine = backend.CreateEngine(run.Engines);
        var (grid, bytesBefore) = Structure(engine);
        var clock = Stopwatch.StartNew();
        float lr = run.LearningRate;
        for (int epoch = 0; epoch < run.Epochs; epoch++)
        {
            engine.RunEpoch(epoch, lr);
            lr *= run.LearningRateDecay;
            Console.Error.WriteLine($"{run.Kind} {name}: epoch {epoch + 1} at {clock.Elapsed.TotalSeconds:F1} s");
        }
        double seconds = clock.Elapsed.TotalSeconds / run.Epochs;
        long bytes = (Structure(engine).Bytes - bytesBefore) / run.Epochs;
        run.CopyBack(engine);
        double score = quality(run.Assemble(run.Epochs));
        Console.Error.WriteLine($"{run.Kind} {name}: {grid}, {seconds:F2} s per epoch, {bytes:N0} bytes per epoch, quality {score:F4}");
        return new Result(name, grid, seconds, bytes, score);
    }

    /// <summary>The engine's grid in words and the bytes it has copied so far (none for the in-memory engines, which keep no count).</summary>
    private static (string Grid, long Bytes) Structure(ITrainingEngine engine) => engine switch
    {
        DeviceSgdEngine e => (Grid(e.Grid, e.Resident), e.BytesCopied),
        DevicePairwiseEngine e => (Grid(e.Grid, e.Resident), e.BytesCopied),
        _ => ("in memory", 0),
    };

    private static string Grid(int size, IReadOnlyList<bool> resident) =>
        $"{size} × {size}, {(resident.All(r => r) ? "resident" : resident.Any(r => r) ? "partly resident" : "streamed")}";

    private sealed record Result(string Name, string Grid, double Seconds, long Bytes, double Quality)
    {
        public IReadOnlyList<string> Row(string model, Result reference) =>
        [
            model,
            Name,
            Grid,
            Seconds.ToString("F2", CultureInfo.InvariantCulture),
            (Seconds / reference.Seconds).ToString("F2", CultureInfo.InvariantCulture) + "×",
            (Bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture) + " MiB",
            Quality.ToString("F4", CultureInfo.InvariantCulture),
            ReferenceEquals(this, reference) ? "" : (Quality - reference.Quality).ToString("+0.0000;−0.0000;0.0000", CultureInfo.InvariantCulture),
        ];
    }
}
