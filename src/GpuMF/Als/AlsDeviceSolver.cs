using GpuMF.Backends;
using GpuMF.Kernels.Als;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Als;

/// <summary>
/// The ALS solve on one accelerator, apart from where the interactions and factors live: the Gram matrix,
/// the Cholesky or conjugate-gradient launches over a range of rows given as views, and the loss. Every
/// ALS engine on ILGPU (one device in memory, streamed, several devices) launches through this, so that a
/// row gets the same kernels and the same per-row arithmetic wherever it is solved.
/// </summary>
internal sealed class AlsDeviceSolver : IDisposable
{
    /// <summary>Most floats of global-memory Cholesky workspace (256 MiB), whatever k.</summary>
    private const long MaxWorkspaceFloats = 1L << 26;

    private readonly ComputeBackend _device;
    private readonly Accelerator _accelerator;
    private readonly AlsOptions _options;
    private readonly AlsKernelSet _kernels;
    private readonly Shape _shape;
    private readonly float[] _sumsHost;
    private readonly List<MemoryBuffer> _buffers = new();
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _gram;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scratch;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _sums;
    private readonly CgState? _cg;

    /// <summary>Allocates the solver's buffers for ranges of at most <paramref name="maxRows"/> rows (check <see cref="AddFootprint"/> against the budget first).</summary>
    /// <param name="device">One ILGPU device.</param>
    /// <param name="options">The ALS options (k, solver, λ, CG steps).</param>
    /// <param name="maxRows">Most rows one launch solves, ≥ 0.</param>
    /// <param name="globalCholesky">Keep the Cholesky matrices in global memory even where shared memory would hold them (to test that path).</param>
    public AlsDeviceSolver(ComputeBackend device, AlsOptions options, int maxRows, bool globalCholesky = false)
    {
        _device = device;
        _accelerator = device.Accelerator!;
        _options = options;
        _shape = ShapeOf(_accelerator, options, maxRows, globalCholesky);
        _sumsHost = new float[_shape.Sums];
        _kernels = device.Kernels(a => new AlsKernelSet(a));
        int k = options.Factors;
        try
        {
            _gram = Track(device.Allocate<float>((long)k * k, "the Gram matrix"));
            _scratch = Track(device.Allocate<float>(_shape.ScratchFloats, "solver scratch"));
            _sums = Track(device.Allocate<float>(_sumsHost.Length, "norm partials"));
            if (options.Solver == AlsSolver.ConjugateGradient)
            {
                long rows = maxRows;
                _cg = new CgState(
                    Track(device.Allocate<float>(rows * k, "CG residuals")),
                    Track(device.Allocate<float>(rows * k, "CG directions")),
                    Track(device.Allocate<float>(rows * k, "CG products")),
                    Track(device.Allocate<float>(rows, "CG residual norms")),
                    Track(device.Allocate<float>((long)_shape.WarpCount * k, "CG warp sums")));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Adds the device memory a solver for <paramref name="maxRows"/> rows allocates to <paramref name="footprint"/>.</summary>
    public static DeviceFootprint AddFootprint(DeviceFootprint footprint, ComputeBackend device, AlsOptions options, int maxRows, bool globalCholesky = false)
    {
        var shape = ShapeOf(device.Accelerator!, options, maxRows, globalCholesky);
        int k = options.Factors;
        bool cg = options.Solver == AlsSolver.ConjugateGradient;
        return footprint.Add<float>((long)k * k).Add<float>(shape.ScratchFloats).Add<float>(shape.Sums)
            .Add<float>(cg ? (long)maxRows * (3L * k + 1) + (long)shape.WarpCount * k : 0);
    }

    /// <summary>G = OᵀO + λI of the other side's <paramref name="rows"/> rows into the solver's Gram matrix: tiles of t² threads, enough row chunks to occupy the device.</summary>
    public void Gram(ArrayView<float> other, int rows)
    {
        int k = _options.Factors;
        int t = GramKernels.MaxTile;
        while (t > 1 && t * t > _accelerator.MaxNumThreadsPerGroup)
        {
            t--;
        }
        int tiles = (k + t - 1) / t;
        long wanted = Math.Max(1L, 4L * _accelerator.NumMultiprocessors * Math.Max(1, _accelerator.MaxNumThreadsPerMultiprocessor / (t * t)));
        int chunks = (int)Math.Clamp(wanted / ((long)tiles * tiles), 1, Math.Max(1, (rows + t - 1) / t));
        int chunkRows = Math.Max(1, (rows + chunks - 1) / chunks);
        chunks = Math.Max(1, (rows + chunkRows - 1) / chunkRows);
        var step = new GramStep { Rows = rows, Factors = k, Tile = t, Tiles = tiles, ChunkRows = chunkRows, Regularization = _options.Regularization };
        _gram.MemSetToZero();
        _kernels.Gram(new KernelConfig(tiles * tiles * chunks, t * t), other, _gram.View, step);
    }

    /// <summary>The Gram matrix, copied to <paramref name="host"/> (k² floats).</summary>
    public void CopyGramTo(float[] host) => _gram.CopyToCPU(host);

    /// <summary>Sets the Gram matrix from <paramref name="host"/> (k² floats): how every device of a group solves against the same one.</summary>
    public void SetGram(float[] host) => _gram.CopyFromCPU(host);

    /// <summary>
    /// Solves <paramref name="rows"/> rows (at most the solver's maxRows) against the Gram matrix set last;
    /// <paramref name="data"/>'s offsets index its own interactions. Returns the solved rows' Σ|row|².
    /// </summary>
    public double Solve(RowViews data, ArrayView<float> other, ArrayView<float> factors, int rows)
    {
        int k = _options.Factors;
        var step = new AlsStep { Rows = rows, Factors = k };
        _sums.MemSetToZero();
        if (_cg is { } cg)
        {
            var cgStep = new CgStep { Rows = rows, Factors = k, Segments = data.Segments, SegmentLength = IlgpuAlsEngine.SegmentLength };
            void Rows(int phase, int last) => _kernels.CgRows(_shape.Warps, _gram.View, factors, cg.R.View, cg.P.View, cg.Ap.View, cg.Rs.View, _sums.View, cgStep with { Phase = phase, Last = last });
            void Interactions(int mode, ArrayView<float> v, ArrayView<float> sums) =>
                _kernels.CgInteractions(_shape.Warps, data.SegmentRows, data.SegmentStarts, data.Ptr, data.Idx, data.Confidence, other, v, sums, cg.Rs.View, cg.Local.View, cgStep with { Phase = mode });
            Rows(CgStep.Begin, 0);
            Interactions(CgStep.Residual, factors, cg.R.View);
            Rows(CgStep.First, 0);
            for (int cgIteration = 0; cgIteration < _options.CgSteps; cgIteration++)
            {
                Interactions(CgStep.Product, cg.P.View, cg.Ap.View);
                Rows(CgStep.Update, cgIteration == _options.CgSteps - 1 ? 1 : 0);
            }
        }
        else if (_shape.CholeskyShared)
        {
            _kernels.CholeskyShared(_shape.Cholesky, data.Ptr, data.Idx, data.Confidence, other, _gram.View, factors, _sums.View, step);
        }
        else
        {
            _kernels.CholeskyGlobal(_shape.Cholesky, data.Ptr, data.Idx, data.Confidence, other, _gram.View, factors, _scratch.View, _sums.View, step);
        }
        return SumPartials();
    }

    /// <summary>The loss kernel's data term over <paramref name="rows"/> user rows against the Gram matrix set last (of the item factors).</summary>
    public double Loss(RowViews data, ArrayView<float> other, ArrayView<float> factors, int rows)
    {
        _sums.MemSetToZero();
        var step = new AlsStep { Rows = rows, Factors = _options.Factors };
        _kernels.Loss(_shape.Warps, data.Ptr, data.Idx, data.Confidence, other, _gram.View, factors, _scratch.View, _sums.View, step);
        return SumPartials();
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
    }

    /// <summary>The launch shapes and scratch sizes on <paramref name="accelerator"/> for ranges of at most <paramref name="maxRows"/> rows.</summary>
    private static Shape ShapeOf(Accelerator accelerator, AlsOptions options, int maxRows, bool globalCholesky)
    {
        int k = options.Factors;
        var warps = LaunchShape.Warps(accelerator);
        int warpCount = LaunchShape.WarpCount(accelerator, warps);
        long slice = (long)k * k + k;
        bool shared = !globalCholesky && slice * sizeof(float) <= accelerator.MaxSharedMemoryPerGroup;
        var cholesky = CholeskyShape(accelerator, k, maxRows, shared);
        long scratch = options.Solver == AlsSolver.Cholesky && !shared
            ? Math.Max(cholesky.GridDim.X * slice, (long)warpCount * k)
            : (long)warpCount * 3 * k;
        return new Shape(warps, warpCount, cholesky, shared, scratch, Math.Max(warpCount, LaunchShape.WarpCount(accelerator, cholesky)));
    }

    /// <summary>
    /// Groups of up to 256 threads (twice k, rounded up to whole warps: the trailing updates have about k²/2
    /// independent entries early on), as many groups as the device's threads can hold, never more than rows
    /// (groups that shared memory keeps from being resident simply wait their turn). In global memory each
    /// group needs k² + k floats, so large k gets fewer groups: at most <see cref="MaxWorkspaceFloats"/> in all.
    /// </summary>
    private static KernelConfig CholeskyShape(Accelerator accelerator, int k, int rows, bool shared)
    {
        int warp = accelerator.WarpSize;
        int max = Math.Max(warp, Math.Min(256, accelerator.MaxNumThreadsPerGroup) / warp * warp);
        int group = Math.Min(max, (2 * k + warp - 1) / warp * warp);
        int resident = Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / group);
        long cap = shared ? rows : MaxWorkspaceFloats / ((long)k * k + k);
        int groups = (int)Math.Clamp((long)accelerator.NumMultiprocessors * resident, 1, Math.Max(1, Math.Min(rows, cap)));
        return shared
            ? new KernelConfig(groups, group, SharedMemoryConfig.RequestDynamic<float>(k * k + k))
            : new KernelConfig(groups, group);
    }

    private double SumPartials()
    {
        _sums.CopyToCPU(_sumsHost);
        double total = 0;
        foreach (float v in _sumsHost)
        {
            total += v;
        }
        return total;
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Track<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        _buffers.Add(buffer);
        return buffer;
    }

    private sealed record Shape(KernelConfig Warps, int WarpCount, KernelConfig Cholesky, bool CholeskyShared, long ScratchFloats, int Sums);

    private sealed record CgState(
        MemoryBuffer1D<float, Stride1D.Dense> R,
        MemoryBuffer1D<float, Stride1D.Dense> P,
        MemoryBuffer1D<float, Stride1D.Dense> Ap,
        MemoryBuffer1D<float, Stride1D.Dense> Rs,
        MemoryBuffer1D<float, Stride1D.Dense> Local);
}

/// <summary>
/// A range of rows' interactions on a device: CSR offsets (rows + 1, indexing <see cref="Idx"/> from 0),
/// the other side's rows and confidences, and the conjugate-gradient segments (rows local to the range).
/// </summary>
internal readonly record struct RowViews(
    ArrayView<int> Ptr,
    ArrayView<int> Idx,
    ArrayView<float> Confidence,
    ArrayView<int> SegmentRows,
    ArrayView<int> SegmentStarts,
    int Segments);
