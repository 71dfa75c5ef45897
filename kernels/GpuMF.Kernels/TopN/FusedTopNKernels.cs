using System.Runtime.CompilerServices;
using GpuMF.Kernels.Sparse;
using ILGPU;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// Batch top-N in one pass over the catalogue, without a score matrix in device memory. A group of
/// Side × Side threads (the entry points' <see cref="ITileSide"/> type argument) owns a block of 8·Side query rows
/// and one slice of the catalogue, which it walks in tiles of 8·Side candidates:
/// <list type="number">
/// <item>Each thread accumulates an 8 × 8 block of scores in registers (<see cref="RegisterTile"/>), rows
/// ty + i·Side and candidates tx + j·Side, from factors staged <see cref="Depth"/> at a time in shared
/// memory. The staging is factor-major with a row stride of 8·Side + 2: a warp's stores (16 depths of two
/// rows) then fall in 32 distinct banks, and its loads read one or two addresses of <c>a</c> (a broadcast)
/// and 16 consecutive words of <c>b</c>. The 16 depths of a step are written out by hand (ILGPU does not
/// unroll loops), so that every shared-memory offset is a constant.</item>
/// <item>The candidates' biases are added (NaN for a candidate past the tile or outside the allow-list, so
/// that it never passes a comparison) and each score is compared, still in registers, with its row's floor:
/// the row's worst kept pair once it holds N, else a pair every score beats. Only the scores that beat it
/// go on, through a small per-row queue in shared memory (a shared atomic counter gives each its slot).</item>
/// <item>One thread per row drains the queue: it drops the row's excluded candidates (binary search of its
/// ascending list) and itself in similarity, offers the rest to the row's bounded heap
/// (<see cref="TopNHeap"/>), and raises the floor. A full queue makes the others wait for the next round;
/// the rounds repeat until no thread holds a score that beats its row's floor.</item>
/// </list>
/// The heap order is total (higher score first, equal scores to the lower index), so the kept set does not
/// depend on the order the queue is filled in, and a score the floor turns away would have been rejected
/// by the heap too: the lists are the CPU backend's exactly, ties included, up to the rounding of scores.
/// Heaps of up to <see cref="OnChipN"/> pairs stay in shared memory (<see cref="OnChip{TSide}"/>); larger
/// ones live in device memory (<see cref="InMemory{TSide}"/>), still read and written only for scores that
/// beat the floor. Either writes each (row, slice) partial list to device memory, and
/// <see cref="MergeSlices"/> merges a row's slices and sorts the result best first.
/// </summary>
public static class FusedTopNKernels
{
    /// <summary>Query rows (and candidates) per thread: each thread scores an 8 × 8 block.</summary>
    public const int PerThread = 8;

    /// <summary>Factors staged in shared memory per step.</summary>
    public const int Depth = 16;

    /// <summary>The widest group side compiled (<see cref="TileSide16"/>).</summary>
    public const int MaxSide = 16;

    /// <summary>Query rows of the largest block: <see cref="MaxSide"/> · <see cref="PerThread"/>.</summary>
    public const int MaxSpan = MaxSide * PerThread;

    /// <summary>Scores a row may queue per round before its heap is next updated.</summary>
    public const int QueueLength = 16;

    /// <summary>The largest N whose heaps the on-chip kernel keeps in shared memory.</summary>
    public const int OnChipN = 16;

    /// <summary>
    /// Padding of each staged depth: 32 banks ÷ <see cref="Depth"/>. A warp stores depths 0..15 of two
    /// consecutive rows; with a stride of 2 (mod 32) those 32 words fall in 32 different banks.
    /// </summary>
    private const int Pad = 32 / Depth;

    private const int MaxStride = MaxSpan + Pad;

    /// <summary>
    /// The shared-memory word of staged element <paramref name="element"/> (row or candidate e / Depth of the
    /// block, factor e % Depth of the step) in a group of side <paramref name="side"/>: depth-major, depths
    /// 8·side + 2 words apart, so that the 32 elements a warp stores at once fall in 32 different banks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int StagedAt(int element, int side) => element % Depth * (side * PerThread + Pad) + element / Depth;

    /// <summary>
    /// Top N of launch.RowCount query rows (rows[r] indexes <paramref name="queries"/>) against one slice of
    /// the candidates per group, heaps in shared memory; launch.N ≤ <see cref="OnChipN"/>. Writes the
    /// (row r, slice s) partial heap at heapScores/heapIndices[(r·Slices + s)·N] and its count at
    /// heapCounts[r·Slices + s]. Launch ⌈RowCount / (8·Side)⌉ · Slices groups of Side² threads.
    /// </summary>
    public static void OnChip<TSide>(
        ArrayView<float> queries,
        ArrayView<int> rows,
        ArrayView<float> candidates,
        ArrayView<float> bias,
        ArrayView<int> allowed,
        ArrayView<int> excludePtr,
        ArrayView<int> excluded,
        ArrayView<float> heapScores,
        ArrayView<int> heapIndices,
        ArrayView<int> heapCounts,
        FusedTopNLaunch launch)
        where TSide : struct, ITileSide
    {
        var sharedScores = SharedMemory.Allocate<float>(MaxSpan * OnChipN);
        var sharedIndices = SharedMemory.Allocate<int>(MaxSpan * OnChipN);
        var group = GroupMemory.Allocate();
        var block = Block.Of<TSide>(launch);
        Select<TSide>(new Inputs(queries, rows, candidates, bias, allowed, excludePtr, excluded), group, block, sharedScores, sharedIndices, 0, OnChipN, launch);
        int side = default(TSide).Side;
        int span = side * PerThread;
        for (int local = Group.IdxX; local < span; local += side * side)
        {
            int row = block.RowBase + local;
            if (row < launch.RowCount)
            {
                long slot = (long)row * launch.Slices + block.Slice;
                int count = group.HeapCount[local];
                heapCounts[slot] = count;
                for (int c = 0; c < count; c++)
                {
                    heapScores[slot * launch.N + c] = sharedScores[local * OnChipN + c];
                    heapIndices[slot * launch.N + c] = sharedIndices[local * OnChipN + c];
                }
            }
        }
    }

    /// <summary>
    /// As <see cref="OnChip{TSide}"/>, for any N: each (row, slice) heap lives where its partial list goes, at
    /// heapScores/heapIndices[(r·Slices + s)·N], read and written by the row's thread only when a score beats
    /// the row's floor.
    /// </summary>
    public static void InMemory<TSide>(
        ArrayView<float> queries,
        ArrayView<int> rows,
        ArrayView<float> candidates,
        ArrayView<float> bias,
        ArrayView<int> allowed,
        ArrayView<int> excludePtr,
        ArrayView<int> excluded,
        ArrayView<float> heapScores,
        ArrayView<int> heapIndices,
        ArrayView<int> heapCounts,
        FusedTopNLaunch launch)
        where TSide : struct, ITileSide
    {
        var group = GroupMemory.Allocate();
        var block = Block.Of<TSide>(launch);
        long origin = ((long)block.RowBase * launch.Slices + block.Slice) * launch.N;
        Select<TSide>(new Inputs(queries, rows, candidates, bias, allowed, excludePtr, excluded), group, block, heapScores, heapIndices, origin, (long)launch.Slices * launch.N, launch);
        int side = default(TSide).Side;
        int span = side * PerThread;
        for (int local = Group.IdxX; local < span; local += side * side)
        {
            int row = block.RowBase + local;
            if (row < launch.RowCount)
            {
                heapCounts[(long)row * launch.Slices + block.Slice] = group.HeapCount[local];
            }
        }
    }

    /// <summary>
    /// Row r's final list: its slices' partial heaps merged into the first (each pair offered to it), sorted
    /// best first, written at outScores/outIndices[r·N] with its length at outCounts[r]. One thread per row;
    /// launch RowCount threads.
    /// </summary>
    public static void MergeSlices(
        Index1D r,
        ArrayView<float> heapScores,
        ArrayView<int> heapIndices,
        ArrayView<int> heapCounts,
        ArrayView<float> outScores,
        ArrayView<int> outIndices,
        ArrayView<int> outCounts,
        FusedTopNLaunch launch)
    {
        int row = r;
        if (row >= launch.RowCount)
        {
            return;
        }
        long first = (long)row * launch.Slices;
        var heap = new TopNViewHeap(heapScores, heapIndices, first * launch.N);
        int count = heapCounts[first];
        for (int s = 1; s < launch.Slices; s++)
        {
            long at = (first + s) * launch.N;
            int more = heapCounts[first + s];
            for (int c = 0; c < more; c++)
            {
                count = TopNHeap.Offer(heap, count, launch.N, heapScores[at + c], heapIndices[at + c]);
            }
        }
        TopNHeap.SortBestFirst(heap, count);
        long to = (long)row * launch.N;
        for (int c = 0; c < count; c++)
        {
            outScores[to + c] = heap.Score(c);
            outIndices[to + c] = heap.Index(c);
        }
        outCounts[row] = count;
    }

    /// <summary>
    /// The body both entry points share: every tile of the group's slice scored in registers and folded into
    /// its rows' heaps, heap of local row l at heapScores/heapIndices[heapOrigin + l·heapStride].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select<TSide>(Inputs inputs, GroupMemory group, Block block, ArrayView<float> heapScores, ArrayView<int> heapIndices, long heapOrigin, long heapStride, FusedTopNLaunch launch)
        where TSide : struct, ITileSide
    {
        int side = default(TSide).Side;
        int span = side * PerThread;
        int threads = side * side;
        int t = Group.IdxX;
        int tx = t % side;
        int ty = t / side;
        for (int local = t; local < span; local += threads)
        {
            group.Reset(local, block.RowBase + local, inputs, launch);
        }
        Group.Barrier();
        int sliceEnd = Math.Min(launch.ItemCount, block.SliceStart + launch.SliceItems);
        // The thread's first query and candidate of each staged depth: from these bases every load of the
        // product is at a constant offset, which the load instruction holds instead of a computed address.
        var a = group.A.SubView(ty, group.A.Length - ty);
        var b = group.B.SubView(tx, group.B.Length - tx);
        for (int tileStart = block.SliceStart; tileStart < sliceEnd; tileStart += span)
        {
            int tileCount = Math.Min(span, sliceEnd - tileStart);
            var acc = default(RegisterTile);
            for (int k0 = 0; k0 < launch.Factors; k0 += Depth)
            {
                Stage<TSide>(inputs, group, launch, tileStart, tileCount, k0);
                Group.Barrier();
                acc = SixteenDepths<TSide>(acc, a, b);
                Group.Barrier();
            }
            var scores = acc.PlusEachRow(RegisterRow.Strided(group.Bias, tx, side));
            int item = tileStart + tx;
            ulong pending = Beating<TSide>(scores, group, ty, item);
            while (Group.BarrierOr(pending != 0))
            {
                pending = Queue<TSide>(scores, pending, group, ty, item);
                Group.Barrier();
                for (int local = t; local < span; local += threads)
                {
                    group.Drain(local, inputs, new TopNViewHeap(heapScores, heapIndices, heapOrigin + local * heapStride), launch);
                }
            }
        }
    }

    /// <summary>
    /// Stages factors k0..k0+15 of the block's query rows and of the tile's candidates (zero past either's
    /// end), and with the first depths the tile's biases (NaN where a candidate may not be returned).
    /// Consecutive threads read consecutive factors of one row, so global reads stay coalesced.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Stage<TSide>(Inputs inputs, GroupMemory group, FusedTopNLaunch launch, int tileStart, int tileCount, int k0)
        where TSide : struct, ITileSide
    {
        int side = default(TSide).Side;
        int span = side * PerThread;
        int threads = side * side;
        int k = launch.Factors;
        for (int e = Group.IdxX; e < span * Depth; e += threads)
        {
            int m = e / Depth;
            int f = k0 + e % Depth;
            int at = StagedAt(e, side);
            int query = group.Query[m];
            group.A[at] = query >= 0 && f < k ? inputs.Queries[(long)query * k + f] : 0f;
            group.B[at] = m < tileCount && f < k ? inputs.Candidates[(long)(tileStart + m) * k + f] : 0f;
        }
        if (k0 == 0)
        {
            for (int c = Group.IdxX; c < span; c += threads)
            {
                int item = tileStart + c;
                bool admitted = c < tileCount && (launch.HasAllowed == 0 || inputs.Allowed[item] != 0);
                group.Bias[c] = !admitted ? float.NaN : launch.HasBias != 0 ? inputs.Bias[item] : 0f;
            }
        }
    }

    /// <summary>
    /// The 16 staged depths multiplied into the thread's block, written out by hand so that every offset
    /// from <paramref name="a"/> (the staging from the thread's first query row) and <paramref name="b"/>
    /// (from its first candidate) is a constant.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RegisterTile SixteenDepths<TSide>(RegisterTile acc, ArrayView<float> a, ArrayView<float> b)
        where TSide : struct, ITileSide
    {
        int stride = default(TSide).Side * PerThread + Pad;
        acc = FourDepths<TSide>(acc, a, b, 0);
        acc = FourDepths<TSide>(acc, a, b, 4 * stride);
        acc = FourDepths<TSide>(acc, a, b, 8 * stride);
        return FourDepths<TSide>(acc, a, b, 12 * stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RegisterTile FourDepths<TSide>(RegisterTile acc, ArrayView<float> a, ArrayView<float> b, int at)
        where TSide : struct, ITileSide
    {
        int stride = default(TSide).Side * PerThread + Pad;
        acc = OneDepth<TSide>(acc, a, b, at);
        acc = OneDepth<TSide>(acc, a, b, at + stride);
        acc = OneDepth<TSide>(acc, a, b, at + 2 * stride);
        return OneDepth<TSide>(acc, a, b, at + 3 * stride);
    }

    /// <summary>One depth: the thread's 8 query factors (rows ty + i·Side) times its 8 candidate factors (tx + j·Side).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static RegisterTile OneDepth<TSide>(RegisterTile acc, ArrayView<float> a, ArrayView<float> b, int at)
        where TSide : struct, ITileSide
    {
        int side = default(TSide).Side;
        return acc.MultiplyAdd(RegisterRow.Strided(a, at, side), RegisterRow.Strided(b, at, side));
    }

    /// <summary>Which of the thread's 64 scores beat their row's floor: bit 8·i + j for row i, candidate j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Beating<TSide>(RegisterTile scores, GroupMemory group, int ty, int item)
        where TSide : struct, ITileSide
    {
        int side = default(TSide).Side;
        return RowBeating(scores.R0, group, ty, item, side)
            | (ulong)RowBeating(scores.R1, group, ty + side, item, side) << 8
            | (ulong)RowBeating(scores.R2, group, ty + 2 * side, item, side) << 16
            | (ulong)RowBeating(scores.R3, group, ty + 3 * side, item, side) << 24
            | (ulong)RowBeating(scores.R4, group, ty + 4 * side, item, side) << 32
            | (ulong)RowBeating(scores.R5, group, ty + 5 * side, item, side) << 40
            | (ulong)RowBeating(scores.R6, group, ty + 6 * side, item, side) << 48
            | (ulong)RowBeating(scores.R7, group, ty + 7 * side, item, side) << 56;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint RowBeating(RegisterRow s, GroupMemory group, int local, int item, int side)
    {
        float floor = group.FloorScore[local];
        int floorIndex = group.FloorIndex[local];
        return Bit(s.V0, item, floor, floorIndex, 1)
            | Bit(s.V1, item + side, floor, floorIndex, 2)
            | Bit(s.V2, item + 2 * side, floor, floorIndex, 4)
            | Bit(s.V3, item + 3 * side, floor, floorIndex, 8)
            | Bit(s.V4, item + 4 * side, floor, floorIndex, 16)
            | Bit(s.V5, item + 5 * side, floor, floorIndex, 32)
            | Bit(s.V6, item + 6 * side, floor, floorIndex, 64)
            | Bit(s.V7, item + 7 * side, floor, floorIndex, 128);
    }

    /// <summary><paramref name="bit"/> when (score, item) ranks above the floor; never for a NaN score.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bit(float score, int item, float floor, int floorIndex, uint bit) =>
        TopNHeap.Worse(floor, floorIndex, score, item) ? bit : 0u;

    /// <summary>Queues the pending scores that still beat their row's floor; returns those for which the queue had no room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Queue<TSide>(RegisterTile scores, ulong pending, GroupMemory group, int ty, int item)
        where TSide : struct, ITileSide
    {
        int side = default(TSide).Side;
        return QueueRow(scores.R0, (uint)pending & 0xFF, group, ty, item, side)
            | (ulong)QueueRow(scores.R1, (uint)(pending >> 8) & 0xFF, group, ty + side, item, side) << 8
            | (ulong)QueueRow(scores.R2, (uint)(pending >> 16) & 0xFF, group, ty + 2 * side, item, side) << 16
            | (ulong)QueueRow(scores.R3, (uint)(pending >> 24) & 0xFF, group, ty + 3 * side, item, side) << 24
            | (ulong)QueueRow(scores.R4, (uint)(pending >> 32) & 0xFF, group, ty + 4 * side, item, side) << 32
            | (ulong)QueueRow(scores.R5, (uint)(pending >> 40) & 0xFF, group, ty + 5 * side, item, side) << 40
            | (ulong)QueueRow(scores.R6, (uint)(pending >> 48) & 0xFF, group, ty + 6 * side, item, side) << 48
            | (ulong)QueueRow(scores.R7, (uint)(pending >> 56) & 0xFF, group, ty + 7 * side, item, side) << 56;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint QueueRow(RegisterRow s, uint bits, GroupMemory group, int local, int item, int side)
    {
        if (bits == 0)
        {
            return 0;
        }
        // The floor may have risen since the scores were compared with it: those that no longer beat it are dropped.
        float floor = group.FloorScore[local];
        int floorIndex = group.FloorIndex[local];
        bits = QueueOne(s.V0, item, bits, 1, floor, floorIndex, group, local);
        bits = QueueOne(s.V1, item + side, bits, 2, floor, floorIndex, group, local);
        bits = QueueOne(s.V2, item + 2 * side, bits, 4, floor, floorIndex, group, local);
        bits = QueueOne(s.V3, item + 3 * side, bits, 8, floor, floorIndex, group, local);
        bits = QueueOne(s.V4, item + 4 * side, bits, 16, floor, floorIndex, group, local);
        bits = QueueOne(s.V5, item + 5 * side, bits, 32, floor, floorIndex, group, local);
        bits = QueueOne(s.V6, item + 6 * side, bits, 64, floor, floorIndex, group, local);
        return QueueOne(s.V7, item + 7 * side, bits, 128, floor, floorIndex, group, local);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint QueueOne(float score, int item, uint bits, uint bit, float floor, int floorIndex, GroupMemory group, int local)
    {
        if ((bits & bit) == 0)
        {
            return bits;
        }
        if (!TopNHeap.Worse(floor, floorIndex, score, item))
        {
            return bits & ~bit;
        }
        int slot = Atomic.Add(ref group.Queued[local], 1);
        if (slot >= QueueLength)
        {
            return bits;
        }
        group.QueueScores[local * QueueLength + slot] = score;
        group.QueueItems[local * QueueLength + slot] = item;
        return bits & ~bit;
    }

    /// <summary>The device-memory inputs of a launch.</summary>
    private readonly struct Inputs(
        ArrayView<float> queries,
        ArrayView<int> rows,
        ArrayView<float> candidates,
        ArrayView<float> bias,
        ArrayView<int> allowed,
        ArrayView<int> excludePtr,
        ArrayView<int> excluded)
    {
        public ArrayView<float> Queries { get; } = queries;

        public ArrayView<int> Rows { get; } = rows;

        public ArrayView<float> Candidates { get; } = candidates;

        public ArrayView<float> Bias { get; } = bias;

        public ArrayView<int> Allowed { get; } = allowed;

        public ArrayView<int> ExcludePtr { get; } = excludePtr;

        public ArrayView<int> Excluded { get; } = excluded;
    }

    /// <summary>Which rows (8·Side from RowBase) and which candidates (a slice from SliceStart) a group owns.</summary>
    private readonly struct Block(int rowBase, int slice, int sliceStart)
    {
        public int RowBase { get; } = rowBase;

        public int Slice { get; } = slice;

        public int SliceStart { get; } = sliceStart;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Block Of<TSide>(FusedTopNLaunch launch)
            where TSide : struct, ITileSide
        {
            int slice = Grid.IdxX % launch.Slices;
            return new Block(Grid.IdxX / launch.Slices * default(TSide).Side * PerThread, slice, slice * launch.SliceItems);
        }
    }

    /// <summary>
    /// A group's shared memory, sized for the widest group (smaller groups use a prefix of each array): the
    /// staged factors, the tile's biases, and per local row its query, exclusion range, floor, heap size and
    /// queue. The queue's scores reuse the query staging, which is free between the product and the next tile.
    /// </summary>
    private readonly struct GroupMemory(
        ArrayView<float> a,
        ArrayView<float> b,
        ArrayView<float> bias,
        ArrayView<int> queueItems,
        ArrayView<float> floorScore,
        ArrayView<int> rowInts)
    {
        public ArrayView<float> A { get; } = a;

        public ArrayView<float> B { get; } = b;

        public ArrayView<float> Bias { get; } = bias;

        public ArrayView<float> QueueScores => A;

        public ArrayView<int> QueueItems { get; } = queueItems;

        public ArrayView<float> FloorScore { get; } = floorScore;

        public ArrayView<int> FloorIndex => RowInts.SubView(0, MaxSpan);

        public ArrayView<int> Query => RowInts.SubView(MaxSpan, MaxSpan);

        public ArrayView<int> ExcludeFrom => RowInts.SubView(2 * MaxSpan, MaxSpan);

        public ArrayView<int> ExcludeTo => RowInts.SubView(3 * MaxSpan, MaxSpan);

        public ArrayView<int> HeapCount => RowInts.SubView(4 * MaxSpan, MaxSpan);

        public ArrayView<int> Queued => RowInts.SubView(5 * MaxSpan, MaxSpan);

        private ArrayView<int> RowInts { get; } = rowInts;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static GroupMemory Allocate() => new(
            SharedMemory.Allocate<float>(Depth * MaxStride),
            SharedMemory.Allocate<float>(Depth * MaxStride),
            SharedMemory.Allocate<float>(MaxSpan),
            SharedMemory.Allocate<int>(MaxSpan * QueueLength),
            SharedMemory.Allocate<float>(MaxSpan),
            SharedMemory.Allocate<int>(6 * MaxSpan));

        /// <summary>
        /// Local row <paramref name="local"/> before the first tile: an empty heap whose floor every score beats,
        /// or, past the chunk's rows, a floor no score beats (+∞ and index −1), so that the row is never queued.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Reset(int local, int row, Inputs inputs, FusedTopNLaunch launch)
        {
            bool live = row < launch.RowCount;
            int query = live ? inputs.Rows[row] : -1;
            Query[local] = query;
            FloorScore[local] = live ? float.NegativeInfinity : float.PositiveInfinity;
            FloorIndex[local] = live ? int.MaxValue : -1;
            ExcludeFrom[local] = live && launch.HasExclusions != 0 ? inputs.ExcludePtr[query] : 0;
            ExcludeTo[local] = live && launch.HasExclusions != 0 ? inputs.ExcludePtr[query + 1] : 0;
            HeapCount[local] = 0;
            Queued[local] = 0;
        }

        /// <summary>Offers local row <paramref name="local"/>'s queued scores to its heap, leaving out its excluded candidates, then raises its floor.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Drain(int local, Inputs inputs, TopNViewHeap heap, FusedTopNLaunch launch)
        {
            int queued = Math.Min(Queued[local], QueueLength);
            if (queued == 0)
            {
                return;
            }
            int query = Query[local];
            int from = ExcludeFrom[local];
            int to = ExcludeTo[local];
            int count = HeapCount[local];
            for (int q = 0; q < queued; q++)
            {
                int item = QueueItems[local * QueueLength + q];
                if (!(launch.ExcludeSelf != 0 && item == query) && !SortedRange.Contains(inputs.Excluded, from, to, item))
                {
                    count = TopNHeap.Offer(heap, count, launch.N, QueueScores[local * QueueLength + q], item);
                }
            }
            Queued[local] = 0;
            HeapCount[local] = count;
            if (count >= launch.N)
            {
                FloorScore[local] = heap.Score(0);
                FloorIndex[local] = heap.Index(0);
            }
        }
    }
}
