using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// The managed CPU backend's frame for BPR and WARP: block-partitioned parallel SGD. Users are hashed
/// into T blocks once (T = threads) and items into T blocks afresh each epoch; the observed pairs fall
/// into the T × T cells (user block, item block). Each epoch, every user block's pairs are dealt into
/// its cells in the affine order (seed, epoch, block), so that a cell run front to back visits its
/// pairs in a fresh random order, each once per epoch, reading memory sequentially. A round gives
/// thread t cell (t, (t + s) mod T) for s = 0 … T − 1, so no two threads ever touch the same user or
/// item row: no races, no locks, and the same result for the same seed and thread count. Negatives
/// come from the cell's item block only, which samples j uniformly in expectation over the epochs'
/// random partitions; WARP's rank estimate ⌊(n − 1)/trials⌋ stays unbiased because a block holds about
/// n/T items with about rank/T of the violators.
/// <para>
/// An epoch makes <see cref="Sweeps"/> sweeps of T rounds when T &gt; 1, sweep w running the w-th of
/// the <see cref="Sweeps"/> consecutive slices of every cell, rather than T rounds of whole cells.
/// With whole cells a user's positives and negatives come in T long runs, one item block at a time,
/// and WARP's large rank-weighted steps follow each run: its precision@10 on ML-1M fell from 0.306
/// with one thread to 0.287 with 16. With every run cut into 16 pieces, BPR's and WARP's stay within
/// 0.0015 of one thread's for every T from 2 to 64 (bench/RESULTS.md). The small item blocks were not
/// the cause: candidates drawn from the whole catalogue under whole-cell rounds did worse still. A
/// cell's stream, (seed, epoch, cell), carries on from one slice to the next.
/// </para>
/// <para>
/// With one thread the single cell holds every pair in the affine order (seed, epoch, 0) and the
/// single block every item in order, which is exactly what one GPU warp visits. The engine trains its
/// own copy of the parameters, in pinned 64-byte-aligned memory with rows padded to whole cache lines
/// (a user's factors and adagrad sums in one row, an item's factors and its bias line in one, the item
/// sums apart), so that threads, whose rows interleave in memory, never write to the same cache line;
/// <see cref="CopyTo"/> writes them back. "Is j observed for u" is asked of <see cref="ObservedPairs"/>.
/// </para>
/// <para>
/// At scale the rows of a step are random reads from memory far larger than the caches, so the cell loops
/// ask for them <see cref="Ahead"/> pairs before their step: the pairs are known, and the negatives'
/// draws depend only on the cell's stream and the observed items, not on the model, so they can be made
/// early in the same order. Nothing of this changes a result: the same seed and thread count train the
/// same model as before, bit for bit. Cancellation is checked before each round and every
/// <see cref="CheckEvery"/> pairs of a slice.
/// </para>
/// </summary>
internal abstract unsafe class CpuPairwiseEngine : IPairwiseEngine
{
    /// <summary>Floats in a cache line: the unit rows are padded to.</summary>
    protected const int Line = 16;

    /// <summary>
    /// How many pairs ahead of its step a pair's rows are asked for (a power of two): far enough that the step finds
    /// them in cache, near enough that they are still there.
    /// </summary>
    protected const int Ahead = 8;

    /// <summary>
    /// Parameters above this size (16 MiB) are asked for ahead of their steps; below it (ML-1M's take 5 MB) they mostly
    /// stay in cache, where the requests would only add work.
    /// </summary>
    private const long PrefetchAboveBytes = 16L << 20;

    /// <summary>Pairs of a cell between cancellation checks (a power of two): well under a millisecond of work.</summary>
    private const int CheckEvery = 4096;

    /// <summary>
    /// Sweeps of an epoch over the cells when there are several threads. On ML-1M, 4 sweeps left WARP
    /// 0.005–0.007 of precision@10 short of one thread's at 8 and 16 threads, 8 sweeps 0.001–0.002, 16 and
    /// 32 at most 0.0012. Each sweep adds T rounds, each a barrier and a change of item block: with 2
    /// threads 16 sweeps take about 3% more time than one.
    /// </summary>
    private const int Sweeps = 16;

    private readonly int[] _userBlockStart;
    private readonly int[] _blockPairs;
    private readonly int[] _itemBlock;
    private readonly int[] _cellPairs;
    private readonly int[] _itemBlockItems;
    private readonly XorShiftRandom[] _streams;
    private readonly ParallelOptions _parallel;
    private readonly PinnedArrays _pins = new();
    private readonly List<CacheLine[]> _aligned = new();

    protected CpuPairwiseEngine(PairwiseProblem problem, int threads)
    {
        Problem = problem;
        Threads = Math.Max(1, threads);
        int t = Threads;
        ulong seed = problem.Settings.Seed;
        var blockOf = new int[problem.UserCount];
        for (int u = 0; u < blockOf.Length; u++)
        {
            blockOf[u] = (int)(XorShiftRandom.Mix((ulong)u ^ ~seed) % (ulong)t);
        }
        _userBlockStart = new int[t + 1];
        foreach (int u in problem.Users)
        {
            _userBlockStart[blockOf[u] + 1]++;
        }
        for (int b = 0; b < t; b++)
        {
            _userBlockStart[b + 1] += _userBlockStart[b];
        }
        var fill = _userBlockStart[..^1].ToArray();
        _blockPairs = new int[2 * problem.Positives];
        Restricted = problem.RestrictedNegatives;
        Restricted?.Validate(problem);
        int restrictedFrom = Restricted?.FromPositive ?? problem.Positives;
        for (int n = 0; n < problem.Positives; n++)
        {
            int at = fill[blockOf[problem.Users[n]]]++;
            // A pair whose negatives come from the restricted range carries its user with the sign bit set (Cell.IsRestricted).
            _blockPairs[2 * at] = n < restrictedFrom ? problem.Users[n] : problem.Users[n] | int.MinValue;
            _blockPairs[2 * at + 1] = problem.Items[n];
        }
        CellStart = new int[t * t];
        CellCount = new int[t * t];
        ItemBlockStart = new int[t + 1];
        _itemBlock = new int[problem.ItemCount];
        _cellPairs = new int[2 * problem.Positives];
        _itemBlockItems = new int[problem.ItemCount];
        _streams = new XorShiftRandom[t * t];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = t };
        Settings = problem.Settings;
        int k = problem.Settings.Factors;
        Stride = (k + Line - 1) / Line * Line;
        UserStride = problem.UserAccumulators is null ? Stride : 2 * Stride;
        P = Allocate(problem.UserCount, UserStride);
        PinnedArrays.CopyIn(problem.P, k, P, problem.UserCount, UserStride);
        PinnedArrays.CopyIn(problem.UserAccumulators, k, P + Stride, problem.UserCount, UserStride);
        Q = Allocate(problem.ItemCount, ItemStride);
        PinnedArrays.CopyIn(problem.Q, k, Q, problem.ItemCount, ItemStride);
        PinnedArrays.CopyIn(problem.ItemBias, 1, Q + Stride, problem.ItemCount, ItemStride);
        PinnedArrays.CopyIn(problem.BiasAccumulators, 1, Q + Stride + 1, problem.ItemCount, ItemStride);
        if (problem.ItemAccumulators is { } itemSums)
        {
            GQ = Allocate(problem.ItemCount, Stride);
            PinnedArrays.CopyIn(itemSums, k, GQ, problem.ItemCount, Stride);
        }
        long parameterBytes = sizeof(float) * (((long)problem.UserCount * UserStride) + ((long)problem.ItemCount * (ItemStride + (GQ == null ? 0 : Stride))));
        Prefetching = Sse.IsSupported && parameterBytes > PrefetchAboveBytes;
        Observed = new ObservedPairs(problem.UserCount, problem.ItemCount, problem.SeenPtr, problem.SeenItems);
        CellPairs = _pins.Pin(_cellPairs);
        ItemBlockItems = _pins.Pin(_itemBlockItems);
    }

    protected PairwiseProblem Problem { get; }

    protected PairwiseSettings Settings { get; }

    /// <summary>The problem's <see cref="PairwiseProblem.RestrictedNegatives"/>.</summary>
    private NegativeRange? Restricted { get; }

    private int Threads { get; }

    /// <summary>First pair of each cell in <see cref="CellPairs"/>.</summary>
    private int[] CellStart { get; }

    /// <summary>Pairs in each cell.</summary>
    private int[] CellCount { get; }

    /// <summary>This epoch's pairs grouped by cell, as (user, item) at [2n, 2n + 1].</summary>
    private int* CellPairs { get; }

    /// <summary>This epoch's items grouped by block (ascending within one), block b at [ItemBlockStart[b], ItemBlockStart[b + 1]).</summary>
    private int* ItemBlockItems { get; }

    private int[] ItemBlockStart { get; }

    /// <summary>The factors rounded up to whole cache lines: the floats a row gives them, and those of a row of <see cref="GQ"/>.</summary>
    protected int Stride { get; }

    /// <summary>Floats from one row of <see cref="P"/> to the next: <see cref="Stride"/>, twice that under adagrad.</summary>
    private int UserStride { get; }

    /// <summary>Floats from one row of <see cref="Q"/> to the next: <see cref="Stride"/> and the bias line.</summary>
    private int ItemStride => Stride + Line;

    /// <summary>
    /// User rows (<see cref="UserRow"/>): the factors, then under adagrad their sums, so that a step's user data is one
    /// region of whole cache lines (one page, one TLB entry) rather than two far apart.
    /// </summary>
    private float* P { get; }

    /// <summary>
    /// Item rows (<see cref="ItemRow"/>): the factors, then one line with the bias at +0 and its adagrad sum at +1, all
    /// that scoring a candidate reads; the factors' sums, read only by an update, lie apart in <see cref="GQ"/>.
    /// </summary>
    private float* Q { get; }

    /// <summary>Adagrad sums of the item factors, row i at i·<see cref="Stride"/>; null under plain SGD.</summary>
    private float* GQ { get; }

    /// <summary>True under adagrad.</summary>
    protected bool Adagrad => GQ != null;

    /// <summary>True when the rows are asked for ahead of their steps: the processor can, and they exceed <see cref="PrefetchAboveBytes"/>.</summary>
    protected bool Prefetching { get; }

    /// <summary>User <paramref name="u"/>'s factors; under adagrad their sums follow at +<see cref="Stride"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float* UserRow(int u) => P + ((long)u * UserStride);

    /// <summary>Item <paramref name="i"/>'s factors; its bias follows at +<see cref="Stride"/>, the bias's adagrad sum right after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float* ItemRow(int i) => Q + ((long)i * ItemStride);

    /// <summary>The adagrad sums of item <paramref name="i"/>'s factors; null under plain SGD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected float* ItemSums(int i) => GQ == null ? null : GQ + ((long)i * Stride);

    private ObservedPairs Observed { get; }

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        int t = Threads;
        int sweeps = t == 1 ? 1 : Sweeps;
        PartitionItems(epoch);
        var partial = new EpochResult[t];
        for (int round = 0; round < sweeps * t; round++)
        {
            int sweep = round / t;
            int shift = round % t;
            bool first = round == 0;
            cancel.ThrowIfRequested();
            Parallel.For(0, t, _parallel, block =>
            {
                if (first)
                {
                    PartitionCells(block, epoch);
                }
                int cell = block * t + (block + shift) % t;
                var slice = SliceOf(cell, sweep, sweeps);
                if (slice.Count > 0)
                {
                    // A local copy, so that the draws of neighbouring cells' streams never share a cache line.
                    var rng = _streams[cell];
                    partial[block] += RunCell(slice, ref rng, learningRate, cancel);
                    _streams[cell] = rng;
                }
            });
            cancel.ThrowIfCancelled();
        }
        var total = default(EpochResult);
        foreach (var p in partial)
        {
            total += p;
        }
        return total;
    }

    public abstract EpochResult RunGiven(PairwiseSamples samples, float learningRate);

    public void CopyTo(PairwiseProblem target)
    {
        int k = Settings.Factors;
        PinnedArrays.CopyOut(P, UserStride, target.P, k, target.UserCount);
        PinnedArrays.CopyOut(P + Stride, UserStride, target.UserAccumulators, k, target.UserCount);
        PinnedArrays.CopyOut(Q, ItemStride, target.Q, k, target.ItemCount);
        PinnedArrays.CopyOut(Q + Stride, ItemStride, target.ItemBias, 1, target.ItemCount);
        PinnedArrays.CopyOut(Q + Stride + 1, ItemStride, target.BiasAccumulators, 1, target.ItemCount);
        PinnedArrays.CopyOut(GQ, Stride, target.ItemAccumulators, k, target.ItemCount);
    }

    public void Dispose()
    {
        _pins.Dispose();
        _aligned.Clear();
        Observed.Dispose();
    }

    /// <summary>
    /// Runs a non-empty slice of a cell: its pairs front to back, negatives drawn from its item block (a restricted
    /// pair's from the block's part of the range, <see cref="Cell.Draw"/>) with
    /// <paramref name="rng"/>, the cell's stream (seed, epoch, cell), left where the next slice of the cell
    /// carries on; stops early once <see cref="Stop"/> says so.
    /// </summary>
    protected abstract EpochResult RunCell(Cell cell, ref XorShiftRandom rng, float learningRate, CancellationCheck cancel);

    /// <summary>True when a sampling loop (a cell's here, a range of <see cref="HybridCpuEngine"/>) should stop before pair <paramref name="n"/>: a check point every <see cref="CheckEvery"/> pairs after the first finds <paramref name="cancel"/> cancelled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Stop(int n, CancellationCheck cancel) => (n & (CheckEvery - 1)) == 0 && n > 0 && cancel.Requested();

    /// <summary>True when user <paramref name="u"/> has item <paramref name="item"/> among the observed ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected bool Seen(int u, int item) => Observed.Contains(u, item);

    /// <summary>Asks for what <see cref="Seen"/>(u, item) will read (<see cref="ObservedPairs.Prefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchSeen(int u, int item) => Observed.Prefetch(u, item);

    /// <summary>Asks for user <paramref name="u"/>'s factors and, under adagrad, their sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchUser(int u)
    {
        if (Prefetching)
        {
            Prefetch(UserRow(u), UserStride);
        }
    }

    /// <summary>Asks for item <paramref name="i"/>'s factors and bias line and, when <paramref name="sums"/>, its factors' adagrad sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchItem(int i, bool sums)
    {
        if (Prefetching)
        {
            Prefetch(ItemRow(i), ItemStride);
            if (sums)
            {
                Prefetch(ItemSums(i), Stride);
            }
        }
    }

    /// <summary>Asks for the cache lines of <paramref name="floats"/> floats from <paramref name="at"/>, a line's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(float* at, int floats)
    {
        for (int f = 0; f < floats; f += Line)
        {
            Sse.Prefetch0(at + f);
        }
    }

    /// <summary>Asks for user <paramref name="u"/>'s CSR offsets, which <see cref="Seen"/> reads when there is no bitmap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void PrefetchSeenRow(int u)
    {
        if (Prefetching)
        {
            Observed.PrefetchRow(u);
        }
    }

    /// <summary>
    /// Slice <paramref name="sweep"/> of <paramref name="sweeps"/> of cell <paramref name="cell"/>'s pairs as this epoch
    /// put them, and the item block its negatives come from.
    /// </summary>
    private Cell SliceOf(int cell, int sweep, int sweeps)
    {
        int itemBlock = cell % Threads;
        long count = CellCount[cell];
        int from = (int)(count * sweep / sweeps);
        int to = (int)(count * (sweep + 1) / sweeps);
        int blockStart = ItemBlockStart[itemBlock];
        int blockSize = ItemBlockStart[itemBlock + 1] - blockStart;
        var pairs = CellPairs + 2L * (CellStart[cell] + from);
        var block = ItemBlockItems + blockStart;
        if (Restricted is not { } range)
        {
            return new Cell(pairs, to - from, block, blockSize, block, blockSize, Problem.CatalogueItems);
        }
        // A block's items are ascending, so those of the range are one run of it.
        var items = _itemBlockItems.AsSpan(blockStart, blockSize);
        int first = LowerBound(items, range.FirstItem);
        int end = LowerBound(items, range.EndItem);
        return end > first
            ? new Cell(pairs, to - from, block, blockSize, block + first, end - first, range.Count)
            : new Cell(pairs, to - from, block, blockSize, block, blockSize, Problem.CatalogueItems);
    }

    /// <summary>The position of the first of the ascending <paramref name="items"/> not below <paramref name="item"/>.</summary>
    private static int LowerBound(ReadOnlySpan<int> items, int item)
    {
        int at = items.BinarySearch(item);
        return at >= 0 ? at : ~at;
    }

    /// <summary>
    /// Pinned memory for <paramref name="rows"/> rows of <paramref name="stride"/> floats (a whole number of cache
    /// lines) starting on a cache line, so that no two rows share one; counted in lines, so that it may exceed 2³¹ floats.
    /// </summary>
    private float* Allocate(int rows, int stride)
    {
        var buffer = GC.AllocateArray<CacheLine>(checked((int)((long)rows * stride / Line) + 1), pinned: true);
        _aligned.Add(buffer);
        float* start = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0);
        return start + ((Line - (int)((nint)start / sizeof(float) % Line)) % Line);
    }

    private void PartitionItems(int epoch)
    {
        int t = Threads;
        ulong key = XorShiftRandom.Mix(Settings.Seed + 0x9E3779B97F4A7C15UL * (ulong)(uint)(epoch + 1));
        Array.Clear(ItemBlockStart);
        for (int i = 0; i < _itemBlock.Length; i++)
        {
            int b = t == 1 ? 0 : (int)(XorShiftRandom.Mix((ulong)i ^ key) % (ulong)t);
            _itemBlock[i] = b;
            ItemBlockStart[b + 1]++;
        }
        for (int b = 0; b < t; b++)
        {
            ItemBlockStart[b + 1] += ItemBlockStart[b];
        }
        var fill = ItemBlockStart[..^1].ToArray();
        for (int i = 0; i < _itemBlock.Length; i++)
        {
            _itemBlockItems[fill[_itemBlock[i]]++] = i;
        }
    }

    /// <summary>
    /// Deals user block <paramref name="userBlock"/>'s pairs into its T cells by this epoch's item blocks, in the
    /// epoch's affine order, and starts those cells' streams.
    /// </summary>
    private void PartitionCells(int userBlock, int epoch)
    {
        int t = Threads;
        int start = _userBlockStart[userBlock];
        int end = _userBlockStart[userBlock + 1];
        var fill = new int[t];
        for (int n = start; n < end; n++)
        {
            fill[_itemBlock[_blockPairs[2 * n + 1]]]++;
        }
        int at = start;
        for (int b = 0; b < t; b++)
        {
            int cell = userBlock * t + b;
            CellStart[cell] = at;
            CellCount[cell] = fill[b];
            _streams[cell] = PairwiseSgd.Stream(Settings.Seed, epoch, cell);
            fill[b] = at;
            at += CellCount[cell];
        }
        int count = end - start;
        var order = AffinePermutation.Random(count, Settings.Seed, epoch, userBlock);
        long a = order.A;
        long next = order.B;
        // The order's reads are random across the block's pairs: asking for each a few pairs early overlaps their misses.
        long ahead = (next + (Ahead * a)) % Math.Max(1, count);
        fixed (int* blockPairs = _blockPairs)
        {
            for (int n = 0; n < count; n++)
            {
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(blockPairs + (2 * (start + ahead)));
                }
                ahead += a;
                if (ahead >= count)
                {
                    ahead -= count;
                }
                int from = start + (int)next;
                next += a;
                if (next >= count)
                {
                    next -= count;
                }
                int to = fill[_itemBlock[blockPairs[2 * from + 1]]]++;
                _cellPairs[2 * to] = blockPairs[2 * from];
                _cellPairs[2 * to + 1] = blockPairs[2 * from + 1];
            }
        }
    }

    /// <summary>
    /// A slice of one cell of an epoch: <see cref="Count"/> pairs, (user, item) at <see cref="Pairs"/>[2n, 2n + 1]
    /// (read them through <see cref="User"/> and <see cref="Positive"/>), and the <see cref="BlockSize"/> items at
    /// <see cref="Block"/> its negatives are drawn from; a pair of the problem's restricted positives
    /// (<see cref="IsRestricted"/>) draws from the <see cref="RangeSize"/> items at <see cref="Range"/> instead: the
    /// block's items within <see cref="PairwiseProblem.RestrictedNegatives"/>, or the whole block when it holds none
    /// of them. <see cref="RangeCatalogue"/> is the catalogue WARP's rank estimate counts for such a pair.
    /// </summary>
    protected readonly struct Cell(int* pairs, int count, int* block, int blockSize, int* range, int rangeSize, int rangeCatalogue)
    {
        public int* Pairs { get; } = pairs;

        public int Count { get; } = count;

        public int* Block { get; } = block;

        public int BlockSize { get; } = blockSize;

        public int* Range { get; } = range;

        public int RangeSize { get; } = rangeSize;

        public int RangeCatalogue { get; } = rangeCatalogue;

        /// <summary>Pair <paramref name="m"/>'s user.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int User(int m) => Pairs[2 * m] & int.MaxValue;

        /// <summary>Pair <paramref name="m"/>'s positive item.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Positive(int m) => Pairs[2 * m + 1];

        /// <summary>True when pair <paramref name="m"/> draws its negatives from <see cref="Range"/> rather than <see cref="Block"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsRestricted(int m) => Pairs[2 * m] < 0;

        /// <summary>A negative for pair <paramref name="m"/>: one draw of <paramref name="rng"/>, uniform over its items.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Draw(int m, ref XorShiftRandom rng) =>
            IsRestricted(m) ? Range[rng.NextInt(RangeSize)] : Block[rng.NextInt(BlockSize)];
    }

    /// <summary>The unit the parameters are allocated in: one cache line.</summary>
    [InlineArray(Line)]
    private struct CacheLine
    {
        private float _first;
    }
}
