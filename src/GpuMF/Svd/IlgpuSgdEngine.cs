using GpuMF.Backends;
using GpuMF.Kernels.Sampling;
using GpuMF.Kernels.Svd;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Svd;

/// <summary>
/// SGD on an ILGPU accelerator: the ratings and parameters live on the device for the whole run. An epoch
/// runs as launches of <see cref="LaunchShape.StepsPerLaunch"/> ratings per warp, each waited for, with a
/// cancellation check before each.
/// </summary>
internal sealed class IlgpuSgdEngine : ISgdEngine
{
    /// <summary>
    /// Ratings per warp per epoch below which fewer warps than fill the device are launched
    /// (<see cref="LaunchShape.Hogwild"/>). Measured on an H200 on the ML-1M explicit split (900K ratings,
    /// defaults): 128 warps test RMSE 0.841, 512 0.856, 2,048 0.869, 8,192 0.881 (CPU backend 0.837). The
    /// regression objective with biases suffers from stale updates more than the ranking ones; netflix-like
    /// data (100M ratings) still fills the device.
    /// </summary>
    internal const int SamplesPerWarp = 8192;

    private readonly ComputeBackend _backend;
    private readonly SgdProblem _problem;
    private readonly SgdKernelSet _kernels;
    private readonly KernelConfig _shape;
    private readonly int _warps;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _users;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _items;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _ratings;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _p;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _q;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _userBias;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _itemBias;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _loss;
    private readonly float[] _lossHost;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="warps">Warps to launch; 0 picks by <see cref="SamplesPerWarp"/>. One warp makes the run sequential and repeatable.</param>
    public IlgpuSgdEngine(ComputeBackend backend, SgdProblem problem, int warps = 0)
    {
        _backend = backend;
        _problem = problem;
        var accelerator = backend.Accelerator!;
        _shape = LaunchShape.Hogwild(accelerator, problem.Ratings.Length, warps, SamplesPerWarp);
        _warps = LaunchShape.WarpCount(accelerator, _shape);
        _lossHost = new float[_warps];
        backend.EnsureFits(Footprint(backend, problem.Ratings.Length, problem.UserCount, problem.ItemCount, problem.Options.Factors, warps), "SVD training", ComputeBackend.TrainingAdvice);
        _kernels = backend.Kernels(a => new SgdKernelSet(a));
        // A device that runs out of memory part-way must not keep the buffers already allocated.
        try
        {
            _users = _backend.Upload(problem.Users, "rating users");
            _items = _backend.Upload(problem.Items, "rating items");
            _ratings = _backend.Upload(problem.Ratings, "ratings");
            _p = _backend.Upload(problem.P, "user factors");
            _q = _backend.Upload(problem.Q, "item factors");
            _userBias = _backend.Upload(problem.UserBias, "user biases");
            _itemBias = _backend.Upload(problem.ItemBias, "item biases");
            _loss = _backend.Allocate<float>(_lossHost.Length, "loss partials");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device memory the engine allocates for a problem of this size: its ratings, parameters and one loss partial per warp.</summary>
    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="ratings">Ratings.</param>
    /// <param name="users">User rows.</param>
    /// <param name="items">Item rows.</param>
    /// <param name="factors">Factors per row.</param>
    /// <param name="warps">Warps to launch, as the constructor takes them.</param>
    internal static DeviceFootprint Footprint(ComputeBackend backend, int ratings, int users, int items, int factors, int warps)
    {
        var accelerator = backend.Accelerator!;
        int lossPartials = LaunchShape.WarpCount(accelerator, LaunchShape.Hogwild(accelerator, ratings, warps, SamplesPerWarp));
        return new DeviceFootprint().Add<int>(ratings).Add<int>(ratings).Add<float>(ratings).Add<float>((long)users * factors).Add<float>((long)items * factors)
            .Add<float>(users).Add<float>(items).Add<float>(lossPartials);
    }

    /// <summary>Warps each launch runs; when there are several, their updates race on shared rows (lock-free).</summary>
    internal int Warps => _warps;

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        var order = AffinePermutation.Random(_problem.Ratings.Length, _problem.Options.Seed, epoch, 0);
        var step = new SgdStep
        {
            Count = _problem.Ratings.Length,
            Factors = _problem.Options.Factors,
            OrderA = order.A,
            OrderB = order.B,
            Mean = _problem.Mean,
            LearningRate = learningRate,
            Regularization = _problem.Options.Regularization,
            BiasRegularization = _problem.Options.BiasRegularization,
        };
        _loss.MemSetToZero();
        int batch = _warps * LaunchShape.StepsPerLaunch;
        for (int first = 0; first < step.Count; first += batch)
        {
            cancel.ThrowIfRequested();
            step.First = first;
            step.End = (int)Math.Min(step.Count, (long)first + batch);
            _kernels.Epoch(_shape, _users.View, _items.View, _ratings.View, _p.View, _q.View, _userBias.View, _itemBias.View, _loss.View, step);
            _backend.Accelerator!.Synchronize();
        }
        _loss.CopyToCPU(_lossHost);
        double total = 0;
        foreach (float l in _lossHost)
        {
            total += l;
        }
        return new EpochResult(total, _problem.Ratings.Length);
    }

    /// <summary>Replaces the device's parameters with <paramref name="problem"/>'s (a problem of this engine's shape): a resident engine takes up rows trained elsewhere.</summary>
    public void Load(SgdProblem problem)
    {
        _p.View.CopyFromCPU(problem.P);
        _q.View.CopyFromCPU(problem.Q);
        _userBias.View.CopyFromCPU(problem.UserBias);
        _itemBias.View.CopyFromCPU(problem.ItemBias);
    }

    public void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        _p.CopyToCPU(p);
        _q.CopyToCPU(q);
        _userBias.CopyToCPU(userBias);
        _itemBias.CopyToCPU(itemBias);
    }

    public void Dispose()
    {
        _users?.Dispose();
        _items?.Dispose();
        _ratings?.Dispose();
        _p?.Dispose();
        _q?.Dispose();
        _userBias?.Dispose();
        _itemBias?.Dispose();
        _loss?.Dispose();
    }
}
