using System.Runtime.InteropServices;
using GpuMF.Backends;
using GpuMF.Kernels.TopN;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GpuMF.TopN;

/// <summary>
/// Top-N on an ILGPU accelerator with <see cref="FusedTopNKernels"/> (<see cref="TopNKernel.Fused"/>): scores
/// are computed and selected in one kernel and never stored, so device memory holds only the inputs and,
/// per query row of a chunk, its partial heaps and its final list. A chunk whose blocks of rows are too few
/// to fill the device is also cut along the catalogue into slices, one group per block and slice, whose
/// partial lists <see cref="FusedTopNKernels.MergeSlices"/> merges. Rows go through in chunks sized so that
/// the heaps stay within a fixed share of device memory whatever N; the footprint is checked against the
/// device's memory before anything is uploaded, and again before the heaps of a new N are allocated.
/// </summary>
internal sealed class FusedTopNEngine : ITopNEngine
{
    private readonly ComputeBackend _backend;
    private readonly TopNProblem _problem;
    private readonly FusedTopNKernelSet _kernels;
    private readonly DeviceTopNInputs _inputs;
    private readonly long _budgetBytes;
    private readonly int _maxRows;
    private readonly int _slices;
    private readonly int _fillGroups;
    private Buffers? _buffers;

    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="problem">What to score.</param>
    /// <param name="maxRows">Query rows per chunk; 0 (default) sizes chunks from the device's memory and N.</param>
    /// <param name="slices">Slices of the catalogue per chunk; 0 (default) cuts it only as far as needed to fill the device.</param>
    public FusedTopNEngine(ComputeBackend backend, TopNProblem problem, int maxRows = 0, int slices = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegative(slices);
        _backend = backend;
        _problem = problem;
        var accelerator = backend.Accelerator ?? throw new ArgumentException("The top-N kernels need an ILGPU backend.", nameof(backend));
        // The heaps get a sixteenth of the device's memory, within [4 MiB, 1 GiB], as the blocked engine's
        // score block does; the CPU accelerator, which only serves tests, gets the least.
        _budgetBytes = accelerator is CPUAccelerator ? 4L << 20 : Math.Clamp(backend.MemoryBudget / 16, 4L << 20, 1L << 30);
        _maxRows = maxRows;
        _slices = slices;
        // Two groups per multiprocessor: a 16 × 16 group holds about 130 registers per thread, so two fit.
        _fillGroups = 2 * Math.Max(1, accelerator.NumMultiprocessors);
        backend.EnsureFits(DeviceTopNInputs.Footprint(problem), "Batch scoring", ComputeBackend.ScoringAdvice);
        _kernels = backend.Kernels(a => new FusedTopNKernelSet(a));
        _inputs = new DeviceTopNInputs(backend, problem);
    }

    /// <inheritdoc cref="IlgpuTopNEngine.Stages"/>
    /// <remarks>Score takes the fused kernel (scoring and selection together), Select the merge and sort of each row's slices.</remarks>
    internal StageSeconds? Stages { get; set; }

    public void Run(ReadOnlyMemory<int> rows, TopNBuffer result)
    {
        int n = result.N;
        var buffers = EnsureBuffers(n);
        int span = _kernels.Span;
        int tiles = Math.Max(1, (_problem.CandidateCount + span - 1) / span);
        var clock = Stages is null ? null : System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < rows.Length;)
        {
            int remaining = rows.Length - start;
            int slices = Slices(Math.Min(remaining, buffers.Rows), tiles, buffers.Rows);
            int sliceTiles = (tiles + slices - 1) / slices;
            slices = (tiles + sliceTiles - 1) / sliceTiles;
            int count = Math.Min(remaining, buffers.Rows / slices);
            buffers.Queries.View.SubView(0, count).CopyFromCPU(ref MemoryMarshal.GetReference(rows.Span.Slice(start, count)), count);
            Lap(clock, static (stages, seconds) => stages.Other += seconds);
            var launch = new FusedTopNLaunch
            {
                RowCount = count,
                ItemCount = _problem.CandidateCount,
                Factors = _problem.Factors,
                N = n,
                Slices = slices,
                SliceItems = sliceTiles * span,
                HasBias = _problem.CandidateBias is null ? 0 : 1,
                HasAllowed = _problem.Allowed is null ? 0 : 1,
                HasExclusions = _problem.ExcludePtr is null ? 0 : 1,
                ExcludeSelf = _problem.ExcludeSelf ? 1 : 0,
            };
            var select = n <= FusedTopNKernels.OnChipN ? _kernels.OnChip : _kernels.InMemory;
            select(new KernelConfig((count + span - 1) / span * slices, _kernels.Side * _kernels.Side),
                _inputs.Queries.View, buffers.Queries.View, _inputs.Candidates.View, _inputs.Bias.View, _inputs.Allowed.View, _inputs.ExcludePtr.View, _inputs.Excluded.View,
                buffers.HeapScores.View, buffers.HeapIndices.View, buffers.HeapCounts.View, launch);
            Lap(clock, static (stages, seconds) => stages.Score += seconds);
            _kernels.MergeSlices(count, buffers.HeapScores.View, buffers.HeapIndices.View, buffers.HeapCounts.View, buffers.Scores.View, buffers.Indices.View, buffers.Counts.View, launch);
            Lap(clock, static (stages, seconds) => stages.Select += seconds);
            long length = (long)count * n;
            buffers.Scores.View.SubView(0, length).CopyToCPU(ref result.Scores[(long)start * n], length);
            buffers.Indices.View.SubView(0, length).CopyToCPU(ref result.Indices[(long)start * n], length);
            buffers.Counts.View.SubView(0, count).CopyToCPU(ref result.Counts[start], count);
            Lap(clock, static (stages, seconds) => stages.Other += seconds);
            start += count;
        }
    }

    public void Dispose()
    {
        _inputs.Dispose();
        _buffers?.Dispose();
    }

    /// <summary>
    /// Slices for a chunk of <paramref name="rows"/> rows: as many as it takes for the chunk's blocks of rows
    /// times the slices to fill the device, within the catalogue's tiles and the heaps' room.
    /// </summary>
    private int Slices(int rows, int tiles, int capacity)
    {
        int blocks = (rows + _kernels.Span - 1) / _kernels.Span;
        int wanted = _slices > 0 ? _slices : (_fillGroups + blocks - 1) / blocks;
        return Math.Clamp(wanted, 1, Math.Min(tiles, capacity));
    }

    /// <summary>The buffers for lists of <paramref name="n"/>, reallocated when N changes.</summary>
    private Buffers EnsureBuffers(int n)
    {
        if (_buffers?.N == n)
        {
            return _buffers;
        }
        _buffers?.Dispose();
        _buffers = null;
        // Per row: its partial heap and its final list (8 bytes a pair each), two counts and its index.
        long perRow = 16L * n + 12;
        int rows = _maxRows > 0 ? _maxRows : (int)Math.Clamp(_budgetBytes / perRow, _kernels.Span, 1 << 20);
        var footprint = DeviceTopNInputs.Footprint(_problem).Add<int>(rows).Add<float>((long)rows * n).Add<int>((long)rows * n).Add<int>(rows)
            .Add<float>((long)rows * n).Add<int>((long)rows * n).Add<int>(rows);
        _backend.EnsureFits(footprint, $"Batch scoring of the top {n}", ComputeBackend.ScoringAdvice);
        return _buffers = new Buffers(_backend, n, rows);
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

    /// <summary>The per-chunk buffers for lists of <see cref="N"/>: the chunk's query rows, (row, slice) heaps and final lists.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(ComputeBackend backend, int n, int rows)
        {
            N = n;
            Rows = rows;
            Queries = backend.Allocate<int>(rows, "query rows");
            HeapScores = backend.Allocate<float>((long)rows * n, "top-N heap scores");
            HeapIndices = backend.Allocate<int>((long)rows * n, "top-N heap items");
            HeapCounts = backend.Allocate<int>(rows, "top-N heap counts");
            Scores = backend.Allocate<float>((long)rows * n, "top-N scores");
            Indices = backend.Allocate<int>((long)rows * n, "top-N items");
            Counts = backend.Allocate<int>(rows, "top-N counts");
        }

        public int N { get; }

        /// <summary>Heaps held: a chunk's rows times its slices is at most this.</summary>
        public int Rows { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Queries { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> HeapScores { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> HeapIndices { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> HeapCounts { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> Scores { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Indices { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Counts { get; }

        public void Dispose()
        {
            Queries.Dispose();
            HeapScores.Dispose();
            HeapIndices.Dispose();
            HeapCounts.Dispose();
            Scores.Dispose();
            Indices.Dispose();
            Counts.Dispose();
        }
    }
}
