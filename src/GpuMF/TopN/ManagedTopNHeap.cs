using System.Runtime.CompilerServices;
using GpuMF.Kernels.TopN;

namespace GpuMF.TopN;

/// <summary>
/// Bounded selection of the n best (index, score) pairs on the CPU: the heap rules of <see cref="TopNHeap"/>,
/// the same the top-N kernels follow, over managed arrays. Ties are broken towards the lower index so that
/// results do not depend on scan order.
/// </summary>
internal sealed class ManagedTopNHeap
{
    private readonly int[] _index;
    private readonly float[] _score;

    public ManagedTopNHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _index = new int[capacity];
        _score = new float[capacity];
    }

    public int Count { get; private set; }

    /// <summary>The score a new pair must reach to be kept: the worst kept score once full, else −∞.</summary>
    public float Floor => Count < _index.Length ? float.NegativeInfinity : _score[0];

    public void Clear() => Count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(int index, float score) =>
        Count = TopNHeap.Offer(new ArrayStorage(_score, _index), Count, _index.Length, score, index);

    /// <summary>Writes the kept pairs best first into the spans (each at least <see cref="Count"/> long) and returns how many; empties the heap.</summary>
    public int DrainInto(Span<int> indices, Span<float> scores)
    {
        int n = Count;
        TopNHeap.SortBestFirst(new ArrayStorage(_score, _index), n);
        _index.AsSpan(0, n).CopyTo(indices);
        _score.AsSpan(0, n).CopyTo(scores);
        Count = 0;
        return n;
    }

    /// <summary>The heap's slots: slot s at <c>scores[s]</c> and <c>indices[s]</c>.</summary>
    private readonly struct ArrayStorage(float[] scores, int[] indices) : ITopNHeapStorage
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Score(int slot) => scores[slot];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Index(int slot) => indices[slot];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int slot, float score, int index)
        {
            scores[slot] = score;
            indices[slot] = index;
        }
    }
}
