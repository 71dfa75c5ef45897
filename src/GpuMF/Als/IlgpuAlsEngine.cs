using GpuMF.Backends;
using GpuMF.Kernels.Als;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Als;

/// <summary>
/// ALS on an ILGPU accelerator: both CSR orientations, their confidences and both factor matrices live on
/// the device for the whole run. Cancellation is checked before each launch of a half-iteration, the
/// Gram matrix waited for first.
/// </summary>
internal sealed class IlgpuAlsEngine : IAlsEngine
{
    /// <summary>Most floats of global-memory Cholesky workspace (256 MiB), whatever k.</summary>
    private const long MaxWorkspaceFloats = 1L << 26;

    public AlsProblem Problem => _problem;

    /// <summary>
    /// Most interactions one warp takes in a conjugate-gradient interaction pass: long enough that a typical
    /// user is one segment (no atomics), short enough that the most popular item splits over thousands of warps.
    /// </summary>
    internal const int SegmentLength = 128;

    private readonly ComputeBackend _backend;
    private readonly AlsProblem _problem;
    private readonly AlsKernelSet _kernels;
    private readonly Accelerator _accelerator;
    private readonly List<MemoryBuffer> _buffers = new();
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _userPtr;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _userItems;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _userConfidence;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _itemPtr;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _itemUsers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _itemConfidence;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _x;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _y;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _gram;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scratch;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _sums;
    private readonly KernelConfig _warpShape;
    private readonly KernelConfig _choleskyShape;
    private readonly bool _choleskyShared;
    private readonly float[] _sumsHost;
    private readonly CgBuffers? _cg;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="globalCholesky">Keep the Cholesky matrices in global memory even where shared memory would hold them (to test that path).</param>
    public IlgpuAlsEngine(ComputeBackend backend, AlsProblem problem, bool globalCholesky = false)
    {
        _backend = backend;
        _problem = problem;
        _accelerator = backend.Accelerator!;
        int k = problem.Options.Factors;
        _warpShape = LaunchShape.Warps(_accelerator);
        int warpCount = LaunchShape.WarpCount(_accelerator, _warpShape);
        long slice = (long)k * k + k;
        _choleskyShared = !globalCholesky && slice * sizeof(float) <= _accelerator.MaxSharedMemoryPerGroup;
        _choleskyShape = CholeskyShape(k, Math.Max(problem.UserCount, problem.ItemCount), _choleskyShared);
        int choleskyWarps = LaunchShape.WarpCount(_accelerator, _choleskyShape);
        long scratch = problem.Options.Solver == AlsSolver.Cholesky && !_choleskyShared
            ? Math.Max(_choleskyShape.GridDim.X * slice, (long)warpCount * k)
            : (long)warpCount * 3 * k;
        _sumsHost = new float[Math.Max(warpCount, choleskyWarps)];
        bool cg = problem.Options.Solver == AlsSolver.ConjugateGradient;
        var userSegments = cg ? Segments(problem.UserPtr) : default;
        var itemSegments = cg ? Segments(problem.ItemPtr) : default;
        long cgRows = cg ? Math.Max(problem.UserCount, problem.ItemCount) : 0;
        backend.EnsureFits(
            new DeviceFootprint().Add(problem.UserPtr).Add(problem.UserItems).Add(problem.UserConfidence)
                .Add(problem.ItemPtr).Add(problem.ItemUsers).Add(problem.ItemConfidence)
                .Add(problem.UserFactors).Add(problem.ItemFactors).Add<float>((long)k * k).Add<float>(scratch).Add(_sumsHost)
                .Add<float>(cgRows * (3L * k + 1) + (cg ? (long)warpCount * k : 0))
                .Add(userSegments.Rows).Add(userSegments.Starts).Add(itemSegments.Rows).Add(itemSegments.Starts),
            "ALS training",
            ComputeBackend.TrainingAdvice);
        _kernels = backend.Kernels(a => new AlsKernelSet(a));
        // A device that runs out of memory part-way must not keep the buffers already allocated.
        try
        {
            _userPtr = Upload(problem.UserPtr, "user offsets");
            _userItems = Upload(problem.UserItems, "user items");
            _userConfidence = Upload(problem.UserConfidence, "user confidences");
            _itemPtr = Upload(problem.ItemPtr, "item offsets");
            _itemUsers = Upload(problem.ItemUsers, "item users");
            _itemConfidence = Upload(problem.ItemConfidence, "item confidences");
            _x = Upload(problem.UserFactors, "user factors");
            _y = Upload(problem.ItemFactors, "item factors");
            _gram = Track(_backend.Allocate<float>((long)k * k, "the Gram matrix"));
            _scratch = Track(_backend.Allocate<float>(scratch, "solver scratch"));
            _sums = Track(_backend.Allocate<float>(_sumsHost.Length, "norm partials"));
            if (cg)
            {
                _cg = AllocateCg(k, warpCount, userSegments, itemSegments);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public double Solve(AlsSide side, CancellationCheck cancel = default)
    {
        var s = _problem.Of(side);
        var (ptr, idx, conf, factors, other) = Views(side);
        var o = _problem.Options;
        cancel.ThrowIfRequested();
        Gram(other, s.OtherRows);
        _accelerator.Synchronize();
        cancel.ThrowIfRequested();
        var step = new AlsStep { Rows = s.Rows, Factors = o.Factors };
        _sums.MemSetToZero();
        if (_cg is { } cg)
        {
            var (segmentRows, segmentStarts, segments) = side == AlsSide.Users ? (cg.UserSegmentRows, cg.UserSegmentStarts, cg.UserSegments) : (cg.ItemSegmentRows, cg.ItemSegmentStarts, cg.ItemSegments);
            var cgStep = new CgStep { Rows = s.Rows, Factors = o.Factors, Segments = segments, SegmentLength = SegmentLength };
            void Rows(int phase, int last) => _kernels.CgRows(_warpShape, _gram.View, factors, cg.R.View, cg.P.View, cg.Ap.View, cg.Rs.View, _sums.View, cgStep with { Phase = phase, Last = last });
            void Interactions(int mode, ArrayView<float> v, ArrayView<float> sums) =>
                _kernels.CgInteractions(_warpShape, segmentRows.View, segmentStarts.View, ptr, idx, conf, other, v, sums, cg.Rs.View, cg.Local.View, cgStep with { Phase = mode });
            Rows(CgStep.Begin, 0);
            Interactions(CgStep.Residual, factors, cg.R.View);
            Rows(CgStep.First, 0);
            for (int cgIteration = 0; cgIteration < o.CgSteps; cgIteration++)
            {
                Interactions(CgStep.Product, cg.P.View, cg.Ap.View);
                Rows(CgStep.Update, cgIteration == o.CgSteps - 1 ? 1 : 0);
            }
        }
        else if (_choleskyShared)
        {
            _kernels.CholeskyShared(_choleskyShape, ptr, idx, conf, other, _gram.View, factors, _sums.View, step);
        }
        else
        {
            _kernels.CholeskyGlobal(_choleskyShape, ptr, idx, conf, other, _gram.View, factors, _scratch.View, _sums.View, step);
        }
        return SumPartials();
    }

    public double LossTerm()
    {
        var (ptr, idx, conf, factors, other) = Views(AlsSide.Users);
        Gram(other, _problem.ItemCount);
        _sums.MemSetToZero();
        var step = new AlsStep { Rows = _problem.UserCount, Factors = _problem.Options.Factors };
        _kernels.Loss(_warpShape, ptr, idx, conf, other, _gram.View, factors, _scratch.View, _sums.View, step);
        return SumPartials();
    }

    /// <summary>The Gram matrix the solve of <paramref name="side"/> uses (of the other side's factors, plus λI), copied to the host.</summary>
    public float[] GramFor(AlsSide side)
    {
        var s = _problem.Of(side);
        Gram(Views(side).Other, s.OtherRows);
        var host = new float[_gram.Length];
        _gram.CopyToCPU(host);
        return host;
    }

    public void CopyTo(float[] userFactors, float[] itemFactors)
    {
        CopyOut(_x, userFactors);
        CopyOut(_y, itemFactors);
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
    }

    private (ArrayView<int> Ptr, ArrayView<int> Idx, ArrayView<float> Confidence, ArrayView<float> Factors, ArrayView<float> Other) Views(AlsSide side) => side == AlsSide.Users
        ? (_userPtr.View, _userItems.View, _userConfidence.View, _x.View, _y.View)
        : (_itemPtr.View, _itemUsers.View, _itemConfidence.View, _y.View, _x.View);

    /// <summary>G = OᵀO + λI of the other side into <see cref="_gram"/>: tiles of t² threads, enough row chunks to occupy the device.</summary>
    private void Gram(ArrayView<float> other, int rows)
    {
        int k = _problem.Options.Factors;
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
        var step = new GramStep { Rows = rows, Factors = k, Tile = t, Tiles = tiles, ChunkRows = chunkRows, Regularization = _problem.Options.Regularization };
        _gram.MemSetToZero();
        _kernels.Gram(new KernelConfig(tiles * tiles * chunks, t * t), other, _gram.View, step);
    }

    /// <summary>
    /// Groups of up to 256 threads (twice k, rounded up to whole warps: the trailing updates have about k²/2
    /// independent entries early on), as many groups as the device's threads can hold, never more than rows
    /// (groups that shared memory keeps from being resident simply wait their turn). In global memory each
    /// group needs k² + k floats, so large k gets fewer groups: at most <see cref="MaxWorkspaceFloats"/> in all.
    /// </summary>
    private KernelConfig CholeskyShape(int k, int rows, bool shared)
    {
        int warp = _accelerator.WarpSize;
        int max = Math.Max(warp, Math.Min(256, _accelerator.MaxNumThreadsPerGroup) / warp * warp);
        int group = Math.Min(max, (2 * k + warp - 1) / warp * warp);
        int resident = Math.Max(1, _accelerator.MaxNumThreadsPerMultiprocessor / group);
        long cap = shared ? rows : MaxWorkspaceFloats / ((long)k * k + k);
        int groups = (int)Math.Clamp((long)_accelerator.NumMultiprocessors * resident, 1, Math.Max(1, Math.Min(rows, cap)));
        return shared
            ? new KernelConfig(groups, group, SharedMemoryConfig.RequestDynamic<float>(k * k + k))
            : new KernelConfig(groups, group);
    }

    /// <summary>The batched conjugate-gradient state: r, p, Ap and rs for every row of the larger side, per-warp sums, and both sides' segments.</summary>
    private CgBuffers AllocateCg(int k, int warpCount, (int[] Rows, int[] Starts) user, (int[] Rows, int[] Starts) item)
    {
        long rows = Math.Max(_problem.UserCount, _problem.ItemCount);
        var (userRows, userStarts) = user;
        var (itemRows, itemStarts) = item;
        return new CgBuffers(
            Track(_backend.Allocate<float>(rows * k, "CG residuals")),
            Track(_backend.Allocate<float>(rows * k, "CG directions")),
            Track(_backend.Allocate<float>(rows * k, "CG products")),
            Track(_backend.Allocate<float>(rows, "CG residual norms")),
            Track(_backend.Allocate<float>((long)warpCount * k, "CG warp sums")),
            Upload(userRows.Length == 0 ? [0] : userRows, "user segments"),
            Upload(userStarts.Length == 0 ? [0] : userStarts, "user segment starts"),
            userRows.Length,
            Upload(itemRows.Length == 0 ? [0] : itemRows, "item segments"),
            Upload(itemStarts.Length == 0 ? [0] : itemStarts, "item segment starts"),
            itemRows.Length);
    }

    /// <summary>Splits each row of a CSR into runs of at most <see cref="SegmentLength"/> interactions: (row, first interaction) per run.</summary>
    internal static (int[] Rows, int[] Starts) Segments(int[] ptr)
    {
        int count = 0;
        for (int row = 0; row + 1 < ptr.Length; row++)
        {
            count += (ptr[row + 1] - ptr[row] + SegmentLength - 1) / SegmentLength;
        }
        var rows = new int[count];
        var starts = new int[count];
        int at = 0;
        for (int row = 0; row + 1 < ptr.Length; row++)
        {
            for (int e = ptr[row]; e < ptr[row + 1]; e += SegmentLength)
            {
                rows[at] = row;
                starts[at++] = e;
            }
        }
        return (rows, starts);
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

    private MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] data, string what) where T : unmanaged => Track(_backend.Upload(data, what));

    private MemoryBuffer1D<T, Stride1D.Dense> Track<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged
    {
        _buffers.Add(buffer);
        return buffer;
    }

    private static void CopyOut(MemoryBuffer1D<float, Stride1D.Dense> buffer, float[] host)
    {
        if (host.Length > 0)
        {
            buffer.View.SubView(0, host.Length).CopyToCPU(host);
        }
    }

    private sealed record CgBuffers(
        MemoryBuffer1D<float, Stride1D.Dense> R,
        MemoryBuffer1D<float, Stride1D.Dense> P,
        MemoryBuffer1D<float, Stride1D.Dense> Ap,
        MemoryBuffer1D<float, Stride1D.Dense> Rs,
        MemoryBuffer1D<float, Stride1D.Dense> Local,
        MemoryBuffer1D<int, Stride1D.Dense> UserSegmentRows,
        MemoryBuffer1D<int, Stride1D.Dense> UserSegmentStarts,
        int UserSegments,
        MemoryBuffer1D<int, Stride1D.Dense> ItemSegmentRows,
        MemoryBuffer1D<int, Stride1D.Dense> ItemSegmentStarts,
        int ItemSegments);
}
