using System.Numerics;
using System.Runtime.Intrinsics;

namespace GpuMF.TopN;

/// <summary>
/// Top-N on the managed CPU backend: a blocked matrix product with a bounded heap per row. Query rows are
/// taken in blocks of <see cref="BlockRows"/>, blocks run in parallel; within a block, groups of eight rows
/// (<see cref="BlockedScoreKernel"/>) meet every panel of <see cref="PackedCandidates"/>, an L2-sized run
/// of panels at a time, and each score tile is compared with the rows' current N-th best score (the
/// floor) while still in registers. Only the few scores that reach it are checked against the row's
/// exclusions (a binary search of its ascending list) and offered to the row's <see cref="TopN"/> heap, so
/// once the heaps have filled, selection costs little more than the comparisons.
/// </summary>
internal sealed unsafe class CpuTopNEngine : ITopNEngine
{
    /// <summary>Query rows per parallel work item.</summary>
    public const int BlockRows = 64;

    /// <summary>Bytes of panels visited per pass over a block's rows, so that they stay in L2.</summary>
    private const int PanelBytesPerPass = 256 * 1024;

    private readonly TopNProblem _problem;
    private readonly PackedCandidates _packed;
    private readonly int _threads;

    /// <param name="problem">What to score.</param>
    /// <param name="packed">The problem's candidates, packed with its allow flags.</param>
    /// <param name="threads">Worker threads, ≥ 1.</param>
    public CpuTopNEngine(TopNProblem problem, PackedCandidates packed, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _problem = problem;
        _packed = packed;
        _threads = threads;
    }

    public void Run(ReadOnlyMemory<int> rows, TopNBuffer result)
    {
        int blocks = (rows.Length + BlockRows - 1) / BlockRows;
        if (blocks <= 1 || _threads == 1)
        {
            var worker = new Worker(this, result.N, rows.Length);
            for (int b = 0; b < blocks; b++)
            {
                worker.RunBlock(rows.Span, b * BlockRows, result);
            }
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        Parallel.For(0, blocks, options, () => new Worker(this, result.N, BlockRows), (b, _, worker) =>
        {
            worker.RunBlock(rows.Span, b * BlockRows, result);
            return worker;
        }, _ => { });
    }

    /// <summary>Nothing to release: the engine holds managed memory only, and the packed candidates belong to their model or scorer.</summary>
    public void Dispose()
    {
    }

    /// <summary>One thread's heaps and scratch space, reused across the blocks it runs.</summary>
    private sealed class Worker
    {
        private readonly CpuTopNEngine _engine;
        private readonly ManagedTopNHeap[] _heaps;
        private readonly float[] _floors;
        private readonly float[] _queries;
        private readonly float[] _tile = new float[BlockedScoreKernel.Rows * PackedCandidates.Width];

        /// <param name="engine">The engine whose problem the worker scores.</param>
        /// <param name="n">Pairs kept per row.</param>
        /// <param name="rows">Most rows of a block it will run (≤ <see cref="BlockRows"/> rows are held at once).</param>
        public Worker(CpuTopNEngine engine, int n, int rows)
        {
            _engine = engine;
            int capacity = Math.Max(1, Math.Min(n, engine._packed.Count));
            int slots = Math.Clamp(rows, 1, BlockRows);
            _heaps = new ManagedTopNHeap[slots];
            for (int r = 0; r < slots; r++)
            {
                _heaps[r] = new ManagedTopNHeap(capacity);
            }
            _floors = new float[Math.Max(slots, BlockedScoreKernel.Rows)];
            _queries = new float[slots * engine._problem.Factors];
        }

        public void RunBlock(ReadOnlySpan<int> rows, int first, TopNBuffer result)
        {
            var problem = _engine._problem;
            var packed = _engine._packed;
            int k = problem.Factors;
            int count = Math.Min(BlockRows, rows.Length - first);
            for (int r = 0; r < count; r++)
            {
                _heaps[r].Clear();
                _floors[r] = float.NegativeInfinity;
                problem.Queries.AsSpan(rows[first + r] * k, k).CopyTo(_queries.AsSpan(r * k, k));
            }
            if (packed.Count > 0)
            {
                if (Vector512.IsHardwareAccelerated)
                {
                    Score<Vector512<float>, Lanes512>(rows.Slice(first, count));
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    Score<Vector256<float>, Lanes256>(rows.Slice(first, count));
                }
                else
                {
                    Score<Vector128<float>, Lanes128>(rows.Slice(first, count));
                }
            }
            for (int r = 0; r < count; r++)
            {
                long at = (long)(first + r) * result.N;
                result.Counts[first + r] = _heaps[r].DrainInto(result.Indices.AsSpan((int)at, result.N), result.Scores.AsSpan((int)at, result.N));
            }
        }

        private void Score<TVector, TLanes>(ReadOnlySpan<int> rows)
            where TVector : struct
            where TLanes : struct, ISimdLanes<TVector>
        {
            var packed = _engine._packed;
            int k = packed.Factors;
            int width = PackedCandidates.Width;
            int count = rows.Length;
            int panelsPerPass = Math.Max(1, PanelBytesPerPass / (k * width * sizeof(float)));
            fixed (float* queries = _queries)
            fixed (float* tile = _tile)
            fixed (float* floors = _floors)
            {
                for (int p0 = 0; p0 < packed.Panels; p0 += panelsPerPass)
                {
                    int p1 = Math.Min(packed.Panels, p0 + panelsPerPass);
                    int r = 0;
                    for (; r + BlockedScoreKernel.Rows <= count; r += BlockedScoreKernel.Rows)
                    {
                        for (int p = p0; p < p1; p++)
                        {
                            int hits = BlockedScoreKernel.Eight<TVector, TLanes>(queries + r * k, k, packed.Panel(p), packed.Bias(p), tile, floors + r);
                            while (hits != 0)
                            {
                                int i = BitOperations.TrailingZeroCount(hits);
                                hits &= hits - 1;
                                Select<TVector, TLanes>(r + i, rows[r + i], p, tile + i * width);
                            }
                        }
                    }
                    for (; r < count; r++)
                    {
                        for (int p = p0; p < p1; p++)
                        {
                            if (BlockedScoreKernel.One<TVector, TLanes>(queries + r * k, k, packed.Panel(p), packed.Bias(p), tile, floors[r]) != 0)
                            {
                                Select<TVector, TLanes>(r, rows[r], p, tile);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Offers the scores of panel <paramref name="p"/> that reach the row's floor to its heap, then raises the floor.</summary>
        private void Select<TVector, TLanes>(int slot, int query, int p, float* scores)
            where TVector : struct
            where TLanes : struct, ISimdLanes<TVector>
        {
            var heap = _heaps[slot];
            var packed = _engine._packed;
            int w = TLanes.Width;
            int width = PackedCandidates.Width;
            float floor = _floors[slot];
            ulong hits = TLanes.AtLeast(TLanes.Load(scores), floor)
                | TLanes.AtLeast(TLanes.Load(scores + w), floor) << w
                | TLanes.AtLeast(TLanes.Load(scores + 2 * w), floor) << (2 * w);
            while (hits != 0)
            {
                int j = BitOperations.TrailingZeroCount(hits);
                hits &= hits - 1;
                float s = scores[j];
                if (s < heap.Floor)
                {
                    continue;
                }
                int column = p * width + j;
                int candidate = packed.Map[column];
                if (Admissible(query, candidate))
                {
                    heap.Offer(candidate, s);
                }
            }
            _floors[slot] = heap.Floor;
        }

        private bool Admissible(int query, int candidate)
        {
            var problem = _engine._problem;
            return !(problem.ExcludeSelf && candidate == query) && problem.ExcludedOf(query).BinarySearch(candidate) < 0;
        }
    }
}
