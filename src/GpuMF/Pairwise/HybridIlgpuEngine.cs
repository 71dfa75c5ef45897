using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Pairwise;

/// <summary>
/// The device side of hybrid BPR and WARP on an ILGPU accelerator: the observed pairs, the users' observed items,
/// both sides' feature CSRs, the embedding tables, the item feature biases and (under adagrad) their sums live on
/// the device for the whole run, with three composed rows of scratch per warp. An epoch runs as launches of
/// <see cref="LaunchShape.StepsPerLaunch"/> samples per warp with a cancellation check before each, as
/// <see cref="IlgpuPairwiseEngine"/> runs the plain kernels, and as many warps (one per
/// <see cref="IlgpuPairwiseEngine.SamplesPerWarp"/> positives, at most a full device); their updates of shared
/// feature rows are atomic adds (<see cref="HybridKernels"/>).
/// </summary>
internal sealed class HybridIlgpuEngine : HybridEngine
{
    private readonly ComputeBackend _backend;
    private readonly float[] _lossHost;
    private readonly long[] _countsHost;
    private readonly int _warps;
    private readonly List<IDisposable> _buffers = [];

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps to launch; 0 picks by <see cref="IlgpuPairwiseEngine.SamplesPerWarp"/>. One warp makes a run sequential and repeatable.</param>
    public HybridIlgpuEngine(ComputeBackend backend, HybridProblem problem, int warps = 0)
    {
        _backend = backend;
        Problem = problem;
        var accelerator = backend.Accelerator!;
        Shape = LaunchShape.Hogwild(accelerator, problem.Positives, warps, IlgpuPairwiseEngine.SamplesPerWarp);
        _warps = LaunchShape.WarpCount(accelerator, Shape);
        _lossHost = new float[_warps];
        _countsHost = new long[3 * _warps];
        long scratch = 3L * problem.Settings.Factors * _warps;
        backend.EnsureFits(
            new DeviceFootprint().Add(problem.Users).Add(problem.Items).Add(problem.SeenPtr).Add(problem.SeenItems)
                .Add(problem.UserSide.RowPtr).Add(problem.UserSide.Columns).Add(problem.UserSide.Weights)
                .Add(problem.ItemSide.RowPtr).Add(problem.ItemSide.Columns).Add(problem.ItemSide.Weights)
                .Add(problem.UserEmbeddings).Add(problem.ItemEmbeddings).Add(problem.ItemBiases)
                .Add(problem.UserSums).Add(problem.ItemSums).Add(problem.BiasSums)
                .Add<float>(scratch).Add(_lossHost).Add(_countsHost),
            $"hybrid {problem.Settings.Kind.ToString().ToUpperInvariant()} training",
            ComputeBackend.TrainingAdvice);
        try
        {
            Users = Upload(problem.Users, "pair users");
            Items = Upload(problem.Items, "pair items");
            SeenPtr = Upload(problem.SeenPtr, "observed-item offsets");
            SeenItems = Upload(problem.SeenItems, "observed items");
            UserSide = Side(problem.UserSide, "user");
            ItemSide = Side(problem.ItemSide, "item");
            UserEmbeddings = Upload(problem.UserEmbeddings, "user feature embeddings");
            ItemEmbeddings = Upload(problem.ItemEmbeddings, "item feature embeddings");
            Biases = Upload(problem.ItemBiases, "item feature biases");
            UserSums = Upload(problem.UserSums ?? [0f], "user feature adagrad sums");
            ItemSums = Upload(problem.ItemSums ?? [0f], "item feature adagrad sums");
            BiasSums = Upload(problem.BiasSums ?? [0f], "bias adagrad sums");
            Scratch = Track(_backend.Allocate<float>(Math.Max(1, scratch), "composed rows"));
            Loss = Track(_backend.Allocate<float>(_warps, "loss partials"));
            Counts = Track(_backend.Allocate<long>(3 * _warps, "count partials and random streams"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Warps each launch runs; when there are several, their updates race on shared rows (lock-free, atomic adds).</summary>
    internal int Warps => _warps;

    private HybridProblem Problem { get; }

    private KernelConfig Shape { get; }

    private MemoryBuffer1D<int, Stride1D.Dense> Users { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> Items { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> SeenPtr { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> SeenItems { get; } = null!;

    private HybridSide UserSide { get; }

    private HybridSide ItemSide { get; }

    private MemoryBuffer1D<float, Stride1D.Dense> UserEmbeddings { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> ItemEmbeddings { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Biases { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> UserSums { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> ItemSums { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> BiasSums { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Scratch { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Loss { get; } = null!;

    /// <summary>Per warp: two counts of the last launch, then the random stream's state as it left it.</summary>
    private MemoryBuffer1D<long, Stride1D.Dense> Counts { get; } = null!;

    public override EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        var s = Problem.Settings;
        var order = AffinePermutation.Random(Problem.Positives, s.Seed, epoch, 0);
        var tables = new HybridTables
        {
            Users = UserEmbeddings.View,
            Items = ItemEmbeddings.View,
            Biases = Biases.View,
            UserSums = UserSums.View,
            ItemSums = ItemSums.View,
            BiasSums = BiasSums.View,
        };
        // Loaded on first use: after the constructor has checked that the job fits on the device.
        var kernel = _backend.Kernels(a => new HybridKernelSet(a)).Epoch(s.Kind);
        var total = default(EpochResult);
        int batch = _warps * LaunchShape.StepsPerLaunch;
        for (int first = 0; first < Problem.Positives; first += batch)
        {
            cancel.ThrowIfRequested();
            int end = (int)Math.Min(Problem.Positives, (long)first + batch);
            var step = new PairwiseStep
            {
                First = first,
                End = end,
                Positives = Problem.Positives,
                ItemCount = Problem.ItemCount,
                Factors = s.Factors,
                MaxSampled = s.MaxSampled,
                Seed = s.Seed,
                Epoch = epoch,
                OrderA = order.A,
                OrderB = order.B,
                RejectObserved = s.RejectObserved ? 1 : 0,
                UseBias = s.ItemBias ? 1 : 0,
                Adagrad = s.Adagrad ? 1 : 0,
                LearningRate = learningRate,
                Regularization = s.Regularization,
            };
            kernel(Shape, Users.View, Items.View, SeenPtr.View, SeenItems.View, UserSide, ItemSide, tables, Scratch.View, Loss.View, Counts.View, step);
            total += Collect(end - first);
        }
        return total;
    }

    public override void CopyTo(HybridProblem target)
    {
        UserEmbeddings.View.SubView(0, target.UserEmbeddings.Length).CopyToCPU(target.UserEmbeddings);
        ItemEmbeddings.View.SubView(0, target.ItemEmbeddings.Length).CopyToCPU(target.ItemEmbeddings);
        Biases.View.SubView(0, target.ItemBiases.Length).CopyToCPU(target.ItemBiases);
        if (target is { UserSums: { } gu, ItemSums: { } gi, BiasSums: { } gb })
        {
            UserSums.View.SubView(0, gu.Length).CopyToCPU(gu);
            ItemSums.View.SubView(0, gi.Length).CopyToCPU(gi);
            BiasSums.View.SubView(0, gb.Length).CopyToCPU(gb);
        }
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
        _buffers.Clear();
    }

    private T Track<T>(T buffer) where T : IDisposable
    {
        _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>
    /// <paramref name="data"/> on the device; an empty array (a side without columns, a row set without entries) as one
    /// element, since a device buffer is never empty and no kernel reads it then.
    /// </summary>
    private MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] data, string what) where T : unmanaged => Track(_backend.Upload(data.Length > 0 ? data : new T[1], what));

    /// <summary>A side's CSR on the device.</summary>
    private HybridSide Side(FeatureMatrix side, string name) => new()
    {
        Ptr = Upload(side.RowPtr, $"{name} feature offsets").View,
        Columns = Upload(side.Columns, $"{name} feature columns").View,
        Weights = Upload(side.Weights, $"{name} feature weights").View,
    };

    private EpochResult Collect(int samples)
    {
        Loss.CopyToCPU(_lossHost);
        Counts.CopyToCPU(_countsHost);
        double loss = 0;
        long hits = 0, trials = 0;
        for (int w = 0; w < _lossHost.Length; w++)
        {
            loss += _lossHost[w];
            hits += _countsHost[3 * w];
            trials += _countsHost[3 * w + 1];
        }
        return new EpochResult(loss, samples, hits, trials);
    }
}
