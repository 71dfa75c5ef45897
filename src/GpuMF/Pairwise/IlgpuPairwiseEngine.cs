using GpuMF.Backends;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Pairwise;

/// <summary>
/// The device side of BPR and WARP on an ILGPU accelerator: the observed pairs, the users' observed
/// items, the parameters and (under adagrad) their accumulators live on the device for the whole run;
/// each launch leaves one loss and two counts per warp, summed on the host, and each warp's random stream,
/// taken up by the next launch. An epoch runs as launches of <see cref="LaunchShape.StepsPerLaunch"/>
/// samples per warp, each waited for, with a cancellation check before each; the model's kernel
/// (<see cref="BprKernels.Epoch"/> or <see cref="WarpLossKernels.Epoch"/>) visits the positives in the epoch's affine order.
/// </summary>
internal sealed class IlgpuPairwiseEngine : IPairwiseEngine
{
    /// <summary>
    /// Positives per warp per epoch below which fewer warps than fill the device are launched
    /// (<see cref="LaunchShape.Hogwild"/>). Measured on an H200 on the ML-1M implicit split (460K positives,
    /// defaults), P@10 at 128 / 512 / 2,048 / 8,192 warps: BPR 0.277 / 0.269 / 0.260 / 0.256, WARP 0.299 /
    /// 0.288 / 0.270 / 0.250 (CPU backend 0.282 and 0.288); 1,024 keeps both near the CPU backend's quality
    /// and ml20m-like data (10M positives) at 5.5 × 10⁸ BPR samples per second.
    /// </summary>
    internal const int SamplesPerWarp = 1024;

    private readonly ComputeBackend _backend;
    private readonly float[] _lossHost;
    private readonly long[] _countsHost;
    private readonly int _warps;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps to launch; 0 picks by <see cref="SamplesPerWarp"/>. One warp makes a run sequential and repeatable.</param>
    public IlgpuPairwiseEngine(ComputeBackend backend, PairwiseProblem problem, int warps = 0)
    {
        if (problem.RestrictedNegatives is not null)
        {
            throw new NotSupportedException("The ILGPU pairwise kernels draw every negative from the whole catalogue; a problem with restricted negatives runs on the managed CPU engine.");
        }
        _backend = backend;
        Problem = problem;
        var accelerator = backend.Accelerator!;
        Shape = LaunchShape.Hogwild(accelerator, problem.Positives, warps, SamplesPerWarp);
        int warpCount = LaunchShape.WarpCount(accelerator, Shape);
        _warps = warpCount;
        _lossHost = new float[warpCount];
        _countsHost = new long[3 * warpCount];
        backend.EnsureFits(Footprint(backend, problem, warps), $"{problem.Settings.Kind.ToString().ToUpperInvariant()} training", ComputeBackend.TrainingAdvice);
        try
        {
            Users = _backend.Upload(problem.Users, "pair users");
            Items = _backend.Upload(problem.Items, "pair items");
            NoNegatives = _backend.Allocate<int>(1, "given negatives");
            SeenPtr = _backend.Upload(problem.SeenPtr, "observed-item offsets");
            SeenItems = _backend.Upload(problem.SeenItems, "observed items");
            P = _backend.Upload(problem.P, "user factors");
            Q = _backend.Upload(problem.Q, "item factors");
            Bias = _backend.Upload(problem.ItemBias, "item biases");
            GP = _backend.Upload(problem.UserAccumulators ?? [0f], "user adagrad sums");
            GQ = _backend.Upload(problem.ItemAccumulators ?? [0f], "item adagrad sums");
            GB = _backend.Upload(problem.BiasAccumulators ?? [0f], "bias adagrad sums");
            Loss = _backend.Allocate<float>(warpCount, "loss partials");
            Counts = _backend.Allocate<long>(3 * warpCount, "count partials and random streams");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device memory the engine allocates for <paramref name="problem"/>.</summary>
    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps to launch, as the constructor takes them.</param>
    internal static DeviceFootprint Footprint(ComputeBackend backend, PairwiseProblem problem, int warps) =>
        Footprint(backend, problem.Positives, problem.UserCount, problem.SeenItems.Length, problem.ItemCount, problem.Settings.Factors, problem.UserAccumulators is not null, warps);

    /// <summary>
    /// The device memory the engine allocates for a problem of this size: its positives, observed items,
    /// parameters, adagrad sums, and one loss and three counts per warp.
    /// </summary>
    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="positives">Positives.</param>
    /// <param name="users">User rows.</param>
    /// <param name="seen">Observed items of all users together.</param>
    /// <param name="items">Item rows.</param>
    /// <param name="factors">Factors per row.</param>
    /// <param name="sums">Whether the adagrad sums are held (else one float stands in for each of their arrays).</param>
    /// <param name="warps">Warps to launch, as the constructor takes them.</param>
    internal static DeviceFootprint Footprint(ComputeBackend backend, int positives, int users, long seen, int items, int factors, bool sums, int warps)
    {
        var accelerator = backend.Accelerator!;
        int warpCount = LaunchShape.WarpCount(accelerator, LaunchShape.Hogwild(accelerator, positives, warps, SamplesPerWarp));
        long userFloats = (long)users * factors, itemFloats = (long)items * factors;
        return new DeviceFootprint().Add<int>(positives).Add<int>(positives).Add<int>(1).Add<int>(users + 1L).Add<int>(seen)
            .Add<float>(userFloats).Add<float>(itemFloats).Add<float>(items)
            .Add<float>(sums ? userFloats : 1).Add<float>(sums ? itemFloats : 1).Add<float>(sums ? items : 1)
            .Add<float>(warpCount).Add<long>(3L * warpCount);
    }

    /// <summary>Warps each launch runs; when there are several, their updates race on shared rows (lock-free).</summary>
    internal int Warps => _warps;

    private PairwiseProblem Problem { get; }

    private KernelConfig Shape { get; }

    private MemoryBuffer1D<int, Stride1D.Dense> Users { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> Items { get; } = null!;

    /// <summary>A one-element stand-in for the negatives in random mode.</summary>
    private MemoryBuffer1D<int, Stride1D.Dense> NoNegatives { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> SeenPtr { get; } = null!;

    private MemoryBuffer1D<int, Stride1D.Dense> SeenItems { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> P { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Q { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Bias { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> GP { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> GQ { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> GB { get; } = null!;

    private MemoryBuffer1D<float, Stride1D.Dense> Loss { get; } = null!;

    /// <summary>Per warp: two counts of the last launch, then the random stream's state as it left it.</summary>
    private MemoryBuffer1D<long, Stride1D.Dense> Counts { get; } = null!;

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        var total = default(EpochResult);
        int batch = _warps * LaunchShape.StepsPerLaunch;
        for (int first = 0; first < Problem.Positives; first += batch)
        {
            cancel.ThrowIfRequested();
            int end = (int)Math.Min(Problem.Positives, (long)first + batch);
            Launch(Users.View, Items.View, NoNegatives.View, first, end, given: false, epoch, learningRate);
            total += Collect(end - first);
        }
        return total;
    }

    public EpochResult RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        CheckGiven(samples);
        using var users = _backend.Upload(samples.Users, "given users");
        using var items = _backend.Upload(samples.Positives, "given positives");
        using var negatives = _backend.Upload(samples.Negatives, "given negatives");
        Launch(users.View, items.View, negatives.View, 0, samples.Count, given: true, 0, learningRate);
        return Collect(samples.Count);
    }

    /// <summary>
    /// Replaces the device's parameters and (where <paramref name="source"/> has them) adagrad sums with
    /// <paramref name="source"/>'s, a problem of this engine's shape: a resident engine takes up rows trained elsewhere.
    /// </summary>
    public void Load(PairwiseProblem source)
    {
        P.View.SubView(0, source.P.Length).CopyFromCPU(source.P);
        Q.View.SubView(0, source.Q.Length).CopyFromCPU(source.Q);
        Bias.View.SubView(0, source.ItemBias.Length).CopyFromCPU(source.ItemBias);
        if (source.UserAccumulators is { } gp && source.ItemAccumulators is { } gq && source.BiasAccumulators is { } gb)
        {
            GP.View.SubView(0, gp.Length).CopyFromCPU(gp);
            GQ.View.SubView(0, gq.Length).CopyFromCPU(gq);
            GB.View.SubView(0, gb.Length).CopyFromCPU(gb);
        }
    }

    public void CopyTo(PairwiseProblem target)
    {
        P.View.SubView(0, target.P.Length).CopyToCPU(target.P);
        Q.View.SubView(0, target.Q.Length).CopyToCPU(target.Q);
        Bias.View.SubView(0, target.ItemBias.Length).CopyToCPU(target.ItemBias);
        if (target.UserAccumulators is { } gp && target.ItemAccumulators is { } gq && target.BiasAccumulators is { } gb)
        {
            GP.View.SubView(0, gp.Length).CopyToCPU(gp);
            GQ.View.SubView(0, gq.Length).CopyToCPU(gq);
            GB.View.SubView(0, gb.Length).CopyToCPU(gb);
        }
    }

    public void Dispose()
    {
        Users?.Dispose();
        Items?.Dispose();
        NoNegatives?.Dispose();
        SeenPtr?.Dispose();
        SeenItems?.Dispose();
        P?.Dispose();
        Q?.Dispose();
        Bias?.Dispose();
        GP?.Dispose();
        GQ?.Dispose();
        GB?.Dispose();
        Loss?.Dispose();
        Counts?.Dispose();
    }

    /// <summary>Launches the model's kernel over samples [<paramref name="first"/>, <paramref name="end"/>), drawn (random mode) or given.</summary>
    private void Launch(ArrayView<int> users, ArrayView<int> items, ArrayView<int> negatives, int first, int end, bool given, int epoch, float learningRate)
    {
        var s = Problem.Settings;
        var order = AffinePermutation.Random(Problem.Positives, s.Seed, epoch, 0);
        var step = new PairwiseStep
        {
            First = first,
            End = end,
            Positives = Problem.Positives,
            ItemCount = Problem.ItemCount,
            Catalogue = Problem.CatalogueItems,
            Factors = s.Factors,
            MaxSampled = s.MaxSampled,
            Seed = s.Seed,
            Epoch = epoch,
            OrderA = order.A,
            OrderB = order.B,
            Given = given ? 1 : 0,
            RejectObserved = s.RejectObserved ? 1 : 0,
            UseBias = s.ItemBias ? 1 : 0,
            Adagrad = s.Adagrad ? 1 : 0,
            LearningRate = learningRate,
            Regularization = s.Regularization,
        };
        // Loaded on first use: after the constructor has checked that the job fits on the device.
        _backend.Kernels(a => new PairwiseKernelSet(a)).Epoch(s.Kind)(Shape, users, items, negatives, SeenPtr.View, SeenItems.View, P.View, Q.View, Bias.View, GP.View, GQ.View, GB.View, Loss.View, Counts.View, step);
    }

    /// <summary>Throws when given samples do not hold the negatives the model needs per sample.</summary>
    private void CheckGiven(PairwiseSamples samples)
    {
        var s = Problem.Settings;
        if (s.Kind == ModelKind.Bpr && samples.NegativesPerSample != 1)
        {
            throw new ArgumentException($"BPR's given samples need one negative each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
        if (s.Kind == ModelKind.Warp && samples.NegativesPerSample != s.MaxSampled)
        {
            throw new ArgumentException($"WARP's given samples need MaxSampled = {s.MaxSampled} candidates each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
    }

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
