using System.Runtime.InteropServices;
using GpuMF.Backends;
using GpuMF.Kernels.TopN;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GpuMF.TopN;

/// <summary>
/// Top-N on an ILGPU accelerator (<see cref="TopNKernels"/>). The problem's factors, biases, allow flags
/// and exclusion lists are uploaded once; each call uploads only its query row indices and downloads only
/// the N best pairs per row. Rows go through in chunks of at most <see cref="MaxRows"/> and the catalogue
/// in tiles of at most <see cref="TileItems"/> candidates, so that the score block stays within a fixed
/// share of device memory whatever the number of users and items. The whole footprint is checked against
/// the device's memory before anything is uploaded (and again, for a new N, before the heaps are).
/// </summary>
internal sealed class IlgpuTopNEngine : ITopNEngine
{
    private readonly ComputeBackend _backend;
    private readonly TopNProblem _problem;
    private readonly TopNKernelSet _kernels;
    private readonly int _side;
    private readonly KernelConfig _selectShape;
    private readonly DeviceTopNInputs _inputs;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _rows;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scores;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _counts;
    private MemoryBuffer1D<float, Stride1D.Dense>? _heapScores;
    private MemoryBuffer1D<int, Stride1D.Dense>? _heapIndices;
    private int _heapN;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to score.</param>
    /// <param name="tileItems">Candidates per tile; 0 (default) sizes tiles from the device's memory.</param>
    /// <param name="maxRows">Query rows per chunk; 0 (default) sizes chunks from the device's memory.</param>
    public IlgpuTopNEngine(ComputeBackend backend, TopNProblem problem, int tileItems = 0, int maxRows = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tileItems);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        _backend = backend;
        _problem = problem;
        var accelerator = backend.Accelerator ?? throw new ArgumentException("The top-N kernels need an ILGPU backend.", nameof(backend));
        _side = accelerator.MaxNumThreadsPerGroup >= 256 ? 16 : accelerator.MaxNumThreadsPerGroup >= 64 ? 8 : 4;
        _selectShape = LaunchShape.Warps(accelerator);
        // The score block gets a sixteenth of the device's memory, within [4 MiB, 1 GiB]; the CPU
        // accelerator, which only serves tests, gets the least.
        long budget = accelerator is CPUAccelerator ? 1L << 20 : Math.Clamp(backend.MemoryBudget / 16 / sizeof(float), 1L << 20, 1L << 28);
        int candidates = Math.Max(1, problem.CandidateCount);
        TileItems = tileItems > 0 ? Math.Min(tileItems, candidates) : (int)Math.Min(candidates, budget / 1024);
        MaxRows = maxRows > 0 ? maxRows : (int)Math.Clamp(budget / TileItems, 1, 1 << 15);
        backend.EnsureFits(Footprint(1), "Batch scoring", ComputeBackend.ScoringAdvice);
        _kernels = backend.Kernels(a => new TopNKernelSet(a));
        _inputs = new DeviceTopNInputs(backend, problem);
        _rows = _backend.Allocate<int>(MaxRows, "query rows");
        _scores = _backend.Allocate<float>((long)MaxRows * TileItems, "score tile");
        _counts = _backend.Allocate<int>(MaxRows, "top-N counts");
    }

    /// <summary>Candidates per tile.</summary>
    public int TileItems { get; }

    /// <summary>
    /// The engine that runs <paramref name="kernel"/> on an ILGPU backend: this one for <see cref="TopNKernel.Blocked"/>,
    /// <see cref="FusedTopNEngine"/> for <see cref="TopNKernel.Fused"/>; <paramref name="stages"/> (null by default) as <see cref="Stages"/>.
    /// </summary>
    public static ITopNEngine Create(ComputeBackend backend, TopNProblem problem, TopNKernel kernel, StageSeconds? stages = null) => kernel switch
    {
        TopNKernel.Blocked => new IlgpuTopNEngine(backend, problem) { Stages = stages },
        TopNKernel.Fused => new FusedTopNEngine(backend, problem) { Stages = stages },
        _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "Unknown top-N kernel."),
    };

    /// <summary>
    /// When set, every launch and copy is waited for and its seconds added here, so that a benchmark can
    /// tell scoring, selection and the rest apart (which slows <see cref="Run"/>); null (default) when scoring.
    /// </summary>
    internal StageSeconds? Stages { get; set; }

    /// <summary>Query rows per chunk.</summary>
    public int MaxRows { get; }

    public void Run(ReadOnlyMemory<int> rows, TopNBuffer result)
    {
        int n = result.N;
        EnsureHeaps(n);
        var clock = Stages is null ? null : System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < rows.Length; start += MaxRows)
        {
            int count = Math.Min(MaxRows, rows.Length - start);
            _rows.View.SubView(0, count).CopyFromCPU(ref MemoryMarshal.GetReference(rows.Span.Slice(start, count)), count);
            _counts.MemSetToZero();
            Lap(clock, static (stages, seconds) => stages.Other += seconds);
            for (int itemStart = 0; itemStart < _problem.CandidateCount; itemStart += TileItems)
            {
                var tile = Tile(count, itemStart, Math.Min(TileItems, _problem.CandidateCount - itemStart), n);
                int span = _side * TopNKernels.PerThread;
                int groups = (count + span - 1) / span * ((tile.ItemCount + span - 1) / span);
                _kernels.ScoreTile(new KernelConfig(groups, _side * _side), _inputs.Queries.View, _rows.View, _inputs.Candidates.View, _inputs.Bias.View, _scores.View, tile);
                Lap(clock, static (stages, seconds) => stages.Score += seconds);
                _kernels.SelectTile(_selectShape, _scores.View, _rows.View, _inputs.ExcludePtr.View, _inputs.Excluded.View, _inputs.Allowed.View, _heapScores!.View, _heapIndices!.View, _counts.View, tile);
                Lap(clock, static (stages, seconds) => stages.Select += seconds);
            }
            _kernels.SortRows(count, _heapScores!.View, _heapIndices!.View, _counts.View, Tile(count, 0, 1, n));
            long length = (long)count * n;
            _heapScores.View.SubView(0, length).CopyToCPU(ref result.Scores[(long)start * n], length);
            _heapIndices.View.SubView(0, length).CopyToCPU(ref result.Indices[(long)start * n], length);
            _counts.View.SubView(0, count).CopyToCPU(ref result.Counts[start], count);
            Lap(clock, static (stages, seconds) => stages.Other += seconds);
        }
    }

    /// <summary>Waits for the device and adds the time since the last lap to one stage; nothing when not timing.</summary>
    private void Lap(System.Diagnostics.Stopwatch? clock, Action<StageSeconds, double> add)
    {
        if (clock is null)
        {
            return;
        }
        _backend.Accelerator!.Synchronize();
        add(Stages!, clock.Elapsed.TotalSeconds);
        clock.Restart();
    }

    public void Dispose()
    {
        _inputs.Dispose();
        _rows.Dispose();
        _scores.Dispose();
        _counts.Dispose();
        _heapScores?.Dispose();
        _heapIndices?.Dispose();
    }

    private TopNTile Tile(int rows, int itemStart, int itemCount, int n) => new()
    {
        RowCount = rows,
        ItemStart = itemStart,
        ItemCount = itemCount,
        Stride = itemCount,
        Factors = _problem.Factors,
        N = n,
        GroupSide = _side,
        HasBias = _problem.CandidateBias is null ? 0 : 1,
        HasAllowed = _problem.Allowed is null ? 0 : 1,
        HasExclusions = _problem.ExcludePtr is null ? 0 : 1,
        ExcludeSelf = _problem.ExcludeSelf ? 1 : 0,
    };

    private void EnsureHeaps(int n)
    {
        if (_heapN == n)
        {
            return;
        }
        _heapScores?.Dispose();
        _heapIndices?.Dispose();
        _heapScores = null;
        _heapIndices = null;
        _heapN = 0;
        _backend.EnsureFits(Footprint(n), $"Batch scoring of the top {n}", ComputeBackend.ScoringAdvice);
        _heapScores = _backend.Allocate<float>((long)MaxRows * n, "top-N scores");
        _heapIndices = _backend.Allocate<int>((long)MaxRows * n, "top-N items");
        _heapN = n;
    }

    /// <summary>Every buffer of the engine, with the heaps of N = <paramref name="n"/>.</summary>
    private DeviceFootprint Footprint(int n) =>
        DeviceTopNInputs.Footprint(_problem).Add<int>(MaxRows).Add<float>((long)MaxRows * TileItems).Add<int>(MaxRows)
            .Add<float>((long)MaxRows * n).Add<int>((long)MaxRows * n);
}

/// <summary>Seconds <see cref="IlgpuTopNEngine.Run"/> spent per stage while <see cref="IlgpuTopNEngine.Stages"/> was set.</summary>
internal sealed class StageSeconds
{
    /// <summary>The score-block launches.</summary>
    public double Score { get; set; }

    /// <summary>The top-N selection launches.</summary>
    public double Select { get; set; }

    /// <summary>Uploads of the query rows, the final sort and the copies back to the host.</summary>
    public double Other { get; set; }
}
