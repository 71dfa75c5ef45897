using GpuMF.Kernels.Lanes;
using GpuMF.Kernels.Sparse;
using ILGPU;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// Batch top-N scoring of query rows (users, or normalised items for similarity) against a catalogue of
/// candidate rows, in tiles: <see cref="ScoreTile"/> fills a rows × candidates block of scores,
/// <see cref="SelectTile"/> folds that block into each row's running top N (a heap per row in device
/// memory, kept across tiles so that catalogues of any size stream through), and <see cref="SortRows"/>
/// orders each heap best first. Scores are Σ_f q_f·c_f accumulated by fused multiply-adds in ascending f,
/// then the bias added, which is exactly what the managed CPU backend computes.
/// </summary>
public static class TopNKernels
{
    /// <summary>Rows and columns of the largest score block one group computes (16 × 16 threads, 4 × 4 each).</summary>
    public const int MaxSpan = 64;

    /// <summary>Factors staged in shared memory per step.</summary>
    public const int Depth = 16;

    /// <summary>Rows (and columns) of the score block each thread accumulates in registers.</summary>
    public const int PerThread = 4;

    /// <summary>
    /// scores[r·Stride + j] = queries[rows[r]]·candidates[ItemStart + j] (+ bias[ItemStart + j]) for every
    /// row r &lt; RowCount and column j &lt; ItemCount. One group of GroupSide² threads computes a block of
    /// 4·GroupSide rows × 4·GroupSide columns, staging <see cref="Depth"/> factors of both sides in shared
    /// memory per step; thread (x, y) accumulates rows y + a·GroupSide and columns x + b·GroupSide (a, b &lt; 4)
    /// so that neighbouring threads read neighbouring shared words and write neighbouring scores.
    /// Launch ⌈RowCount / span⌉ · ⌈ItemCount / span⌉ groups of GroupSide² threads.
    /// </summary>
    public static void ScoreTile(
        ArrayView<float> queries,
        ArrayView<int> rows,
        ArrayView<float> candidates,
        ArrayView<float> bias,
        ArrayView<float> scores,
        TopNTile tile)
    {
        var a = SharedMemory.Allocate<float>(MaxSpan * Depth);
        var b = SharedMemory.Allocate<float>(MaxSpan * Depth);
        int side = tile.GroupSide;
        int span = side * PerThread;
        int threads = side * side;
        int t = Group.IdxX;
        int tx = t % side;
        int ty = t / side;
        int across = (tile.ItemCount + span - 1) / span;
        int rowBase = Grid.IdxX / across * span;
        int colBase = Grid.IdxX % across * span;
        int k = tile.Factors;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < k; k0 += Depth)
        {
            int depth = Math.Min(Depth, k - k0);
            // Consecutive threads load consecutive factors of one row, so global reads stay coalesced.
            for (int e = t; e < span * Depth; e += threads)
            {
                int m = e / Depth;
                int d = e % Depth;
                int row = rowBase + m;
                int col = colBase + m;
                a[d * span + m] = row < tile.RowCount && d < depth ? queries[(long)rows[row] * k + k0 + d] : 0f;
                b[d * span + m] = col < tile.ItemCount && d < depth ? candidates[(long)(tile.ItemStart + col) * k + k0 + d] : 0f;
            }
            Group.Barrier();
            for (int d = 0; d < depth; d++)
            {
                int o = d * span;
                float a0 = a[o + ty];
                float a1 = a[o + ty + side];
                float a2 = a[o + ty + 2 * side];
                float a3 = a[o + ty + 3 * side];
                float b0 = b[o + tx];
                float b1 = b[o + tx + side];
                float b2 = b[o + tx + 2 * side];
                float b3 = b[o + tx + 3 * side];
                c00 += a0 * b0;
                c01 += a0 * b1;
                c02 += a0 * b2;
                c03 += a0 * b3;
                c10 += a1 * b0;
                c11 += a1 * b1;
                c12 += a1 * b2;
                c13 += a1 * b3;
                c20 += a2 * b0;
                c21 += a2 * b1;
                c22 += a2 * b2;
                c23 += a2 * b3;
                c30 += a3 * b0;
                c31 += a3 * b1;
                c32 += a3 * b2;
                c33 += a3 * b3;
            }
            Group.Barrier();
        }
        StoreRow(scores, bias, tile, rowBase + ty, colBase + tx, side, c00, c01, c02, c03);
        StoreRow(scores, bias, tile, rowBase + ty + side, colBase + tx, side, c10, c11, c12, c13);
        StoreRow(scores, bias, tile, rowBase + ty + 2 * side, colBase + tx, side, c20, c21, c22, c23);
        StoreRow(scores, bias, tile, rowBase + ty + 3 * side, colBase + tx, side, c30, c31, c32, c33);
    }

    /// <summary>
    /// Folds the score block of <see cref="ScoreTile"/> into each row's heap of the N best (score, candidate)
    /// pairs (at heapScores/heapIndices[r·N], heapCounts[r] of them). One warp per row: lanes read W scores at
    /// a time and keep those that beat the heap's worst pair, are allowed, and are not excluded (binary search
    /// of the row's ascending exclusion list); the survivors are handed to lane 0 one at a time, lowest lane
    /// first, by shuffles. Only lane 0 reads or writes the heap, because lanes of a warp need not run in
    /// lockstep and no lane may read what another wrote. Launch whole warps; they stride over the rows.
    /// </summary>
    public static void SelectTile(
        ArrayView<float> scores,
        ArrayView<int> rows,
        ArrayView<int> excludePtr,
        ArrayView<int> excluded,
        ArrayView<int> allowed,
        ArrayView<float> heapScores,
        ArrayView<int> heapIndices,
        ArrayView<int> heapCounts,
        TopNTile tile)
    {
        int warpSize = Warp.WarpSize;
        int lane = Warp.LaneIdx;
        int warps = LaneGrid.WarpCount;
        for (int r = LaneGrid.WarpIndex; r < tile.RowCount; r += warps)
        {
            var heap = new TopNViewHeap(heapScores, heapIndices, (long)r * tile.N);
            int query = rows[r];
            int exFrom = 0;
            int exTo = 0;
            if (tile.HasExclusions != 0)
            {
                exFrom = excludePtr[query];
                exTo = excludePtr[query + 1];
            }
            int count = lane == 0 ? heapCounts[r] : 0;
            var floor = HeapFloor.Of(heap, count, tile.N);
            for (int start = 0; start < tile.ItemCount; start += warpSize)
            {
                int j = start + lane;
                int item = tile.ItemStart + j;
                float s = j < tile.ItemCount ? scores[(long)r * tile.Stride + j] : 0f;
                bool keep = j < tile.ItemCount && floor.Admits(s, item)
                    && Admissible(item, query, exFrom, exTo, excluded, allowed, tile);
                while (true)
                {
                    int first = LaneVote.FirstLane(keep);
                    if (first >= warpSize)
                    {
                        break;
                    }
                    float offerScore = Warp.Shuffle(s, first);
                    int offerIndex = Warp.Shuffle(item, first);
                    if (lane == 0)
                    {
                        count = TopNHeap.Offer(heap, count, tile.N, offerScore, offerIndex);
                    }
                    floor = HeapFloor.Of(heap, count, tile.N);
                    keep = keep && lane != first && floor.Admits(s, item);
                }
            }
            if (lane == 0)
            {
                heapCounts[r] = count;
            }
        }
    }

    /// <summary>Orders each row's heap best first, in place. One thread per row; launch RowCount threads.</summary>
    public static void SortRows(Index1D r, ArrayView<float> heapScores, ArrayView<int> heapIndices, ArrayView<int> heapCounts, TopNTile tile)
    {
        int row = r;
        if (row < tile.RowCount)
        {
            TopNHeap.SortBestFirst(new TopNViewHeap(heapScores, heapIndices, (long)row * tile.N), heapCounts[row]);
        }
    }

    private static void StoreRow(ArrayView<float> scores, ArrayView<float> bias, TopNTile tile, int row, int col, int side, float v0, float v1, float v2, float v3)
    {
        if (row < tile.RowCount)
        {
            long at = (long)row * tile.Stride;
            StoreCell(scores, bias, tile, at, col, v0);
            StoreCell(scores, bias, tile, at, col + side, v1);
            StoreCell(scores, bias, tile, at, col + 2 * side, v2);
            StoreCell(scores, bias, tile, at, col + 3 * side, v3);
        }
    }

    private static void StoreCell(ArrayView<float> scores, ArrayView<float> bias, TopNTile tile, long at, int col, float value)
    {
        if (col < tile.ItemCount)
        {
            scores[at + col] = value + (tile.HasBias != 0 ? bias[tile.ItemStart + col] : 0f);
        }
    }

    private static bool Admissible(int item, int query, int exFrom, int exTo, ArrayView<int> excluded, ArrayView<int> allowed, TopNTile tile)
    {
        if (tile.HasAllowed != 0 && allowed[item] == 0)
        {
            return false;
        }
        if (tile.ExcludeSelf != 0 && item == query)
        {
            return false;
        }
        return !SortedRange.Contains(excluded, exFrom, exTo, item);
    }

    /// <summary>
    /// What the lanes of a row's warp know of its heap, to filter candidates without reading it: whether
    /// it is full and, if so, its worst pair, as lane 0 (the heap's only reader) last saw them.
    /// </summary>
    private readonly struct HeapFloor
    {
        private readonly int _full;
        private readonly float _score;
        private readonly int _index;

        private HeapFloor(int full, float score, int index)
        {
            _full = full;
            _score = score;
            _index = index;
        }

        /// <summary>Lane 0 reads the floor of <paramref name="heap"/>, holding <paramref name="count"/> of at most <paramref name="n"/> pairs; every lane receives it.</summary>
        public static HeapFloor Of(TopNViewHeap heap, int count, int n)
        {
            int full = 0;
            float score = 0f;
            int index = 0;
            if (Warp.LaneIdx == 0)
            {
                full = count >= n ? 1 : 0;
                if (full != 0)
                {
                    score = heap.Score(0);
                    index = heap.Index(0);
                }
            }
            return new HeapFloor(Warp.Shuffle(full, 0), Warp.Shuffle(score, 0), Warp.Shuffle(index, 0));
        }

        /// <summary>True when (s, item) would enter the heap: not NaN, and the heap has room or its worst pair ranks below.</summary>
        public bool Admits(float s, int item) => !float.IsNaN(s) && (_full == 0 || TopNHeap.Worse(_score, _index, s, item));
    }
}
