using GpuMF.Backends;
using GpuMF.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Als;

/// <summary>
/// ALS on an ILGPU accelerator: both CSR orientations, their confidences and both factor matrices live on
/// the device for the whole run. Cancellation is checked before each launch of a half-iteration, the
/// Gram matrix waited for first. <see cref="AlsEngineFactory"/> picks it when <see cref="Footprint"/> fits the
/// device's budget, and <see cref="PartitionedAlsEngine"/> (streaming) otherwise.
/// </summary>
internal sealed class IlgpuAlsEngine : IAlsEngine
{
    public AlsProblem Problem => _problem;

    /// <summary>
    /// Most interactions one warp takes in a conjugate-gradient interaction pass: long enough that a typical
    /// user is one segment (no atomics), short enough that the most popular item splits over thousands of warps.
    /// </summary>
    internal const int SegmentLength = 128;

    private readonly ComputeBackend _backend;
    private readonly AlsProblem _problem;
    private readonly Accelerator _accelerator;
    private readonly List<MemoryBuffer> _buffers = new();
    private readonly AlsDeviceSolver? _solver;
    private readonly RowViews _userRows;
    private readonly RowViews _itemRows;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _x;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _y;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to train.</param>
    /// <param name="globalCholesky">Keep the Cholesky matrices in global memory even where shared memory would hold them (to test that path).</param>
    public IlgpuAlsEngine(ComputeBackend backend, AlsProblem problem, bool globalCholesky = false)
    {
        _backend = backend;
        _problem = problem;
        _accelerator = backend.Accelerator!;
        bool cg = problem.Options.Solver == AlsSolver.ConjugateGradient;
        var userSegments = cg ? Segments(problem.UserPtr) : default;
        var itemSegments = cg ? Segments(problem.ItemPtr) : default;
        backend.EnsureFits(Footprint(backend, problem, globalCholesky), "ALS training", ComputeBackend.TrainingAdvice);
        // A device that runs out of memory part-way must not keep the buffers already allocated.
        try
        {
            _userRows = Rows(problem.UserPtr, problem.UserItems, problem.UserConfidence, userSegments, "user");
            _itemRows = Rows(problem.ItemPtr, problem.ItemUsers, problem.ItemConfidence, itemSegments, "item");
            _x = Upload(problem.UserFactors, "user factors");
            _y = Upload(problem.ItemFactors, "item factors");
            _solver = new AlsDeviceSolver(backend, problem.Options, Math.Max(problem.UserCount, problem.ItemCount), globalCholesky);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device memory this engine allocates for <paramref name="problem"/>: both CSRs and their segments, both factor matrices, the solver.</summary>
    internal static DeviceFootprint Footprint(ComputeBackend backend, AlsProblem problem, bool globalCholesky = false)
    {
        bool cg = problem.Options.Solver == AlsSolver.ConjugateGradient;
        var footprint = new DeviceFootprint().Add(problem.UserPtr).Add(problem.UserItems).Add(problem.UserConfidence)
            .Add(problem.ItemPtr).Add(problem.ItemUsers).Add(problem.ItemConfidence)
            .Add(problem.UserFactors).Add(problem.ItemFactors);
        if (cg)
        {
            footprint.Add<int>(2L * Math.Max(1, SegmentCount(problem.UserPtr))).Add<int>(2L * Math.Max(1, SegmentCount(problem.ItemPtr)));
        }
        return AlsDeviceSolver.AddFootprint(footprint, backend, problem.Options, Math.Max(problem.UserCount, problem.ItemCount), globalCholesky);
    }

    public double Solve(AlsSide side, CancellationCheck cancel = default)
    {
        var s = _problem.Of(side);
        var (rows, factors, other) = Views(side);
        cancel.ThrowIfRequested();
        _solver!.Gram(other, s.OtherRows);
        _accelerator.Synchronize();
        cancel.ThrowIfRequested();
        return _solver.Solve(rows, other, factors, s.Rows);
    }

    public double LossTerm()
    {
        var (rows, factors, other) = Views(AlsSide.Users);
        _solver!.Gram(other, _problem.ItemCount);
        return _solver.Loss(rows, other, factors, _problem.UserCount);
    }

    /// <summary>The Gram matrix the solve of <paramref name="side"/> uses (of the other side's factors, plus λI), copied to the host.</summary>
    public float[] GramFor(AlsSide side)
    {
        var s = _problem.Of(side);
        _solver!.Gram(Views(side).Other, s.OtherRows);
        int k = _problem.Options.Factors;
        var host = new float[k * k];
        _solver.CopyGramTo(host);
        return host;
    }

    public void CopyTo(float[] userFactors, float[] itemFactors)
    {
        CopyOut(_x, userFactors);
        CopyOut(_y, itemFactors);
    }

    public void Dispose()
    {
        _solver?.Dispose();
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }
    }

    private (RowViews Rows, ArrayView<float> Factors, ArrayView<float> Other) Views(AlsSide side) => side == AlsSide.Users
        ? (_userRows, _x.View, _y.View)
        : (_itemRows, _y.View, _x.View);

    /// <summary>Uploads one CSR orientation and (for conjugate gradient) its segments.</summary>
    private RowViews Rows(int[] ptr, int[] idx, float[] confidence, (int[] Rows, int[] Starts) segments, string side)
    {
        var rows = segments.Rows ?? [];
        var starts = segments.Starts ?? [];
        var ptrBuffer = Upload(ptr, $"{side} offsets");
        var idxBuffer = Upload(idx, $"{side} {(side == "user" ? "items" : "users")}");
        var confidenceBuffer = Upload(confidence, $"{side} confidences");
        var segmentRows = segments.Rows is null ? null : Upload(rows.Length == 0 ? [0] : rows, $"{side} segments");
        var segmentStarts = segments.Starts is null ? null : Upload(starts.Length == 0 ? [0] : starts, $"{side} segment starts");
        return new RowViews(ptrBuffer.View, idxBuffer.View, confidenceBuffer.View, segmentRows?.View ?? default, segmentStarts?.View ?? default, rows.Length);
    }

    /// <summary>Segments <see cref="Segments"/> makes for <paramref name="ptr"/>.</summary>
    internal static int SegmentCount(ReadOnlySpan<int> ptr)
    {
        int count = 0;
        for (int row = 0; row + 1 < ptr.Length; row++)
        {
            count += (ptr[row + 1] - ptr[row] + SegmentLength - 1) / SegmentLength;
        }
        return count;
    }

    /// <summary>Splits each row of a CSR into runs of at most <see cref="SegmentLength"/> interactions: (row, first interaction) per run.</summary>
    internal static (int[] Rows, int[] Starts) Segments(int[] ptr)
    {
        int count = SegmentCount(ptr);
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
}
