using System.Runtime.CompilerServices;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// The rules of a bounded min-heap of (score, index) pairs, the root (slot 0) holding the worst kept pair,
/// over any <see cref="ITopNHeapStorage"/>: device memory in the top-N kernels (<see cref="TopNViewHeap"/>),
/// managed arrays on the CPU backend. The order is total: a higher score ranks first, and equal scores
/// rank the lower index first, so the kept set and its order do not depend on the order candidates
/// arrive in. The storage is a generic struct argument, in the style of ILGPU.Algorithms, so that ILGPU
/// compiles the rules into a kernel and the JIT specialises them per storage, with no interface dispatch.
/// One thread owns a heap.
/// </summary>
public static class TopNHeap
{
    /// <summary>True when (a, ia) ranks below (b, ib): lower score, or equal score and higher index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Worse(float a, int ia, float b, int ib) => a < b || (a == b && ia > ib);

    /// <summary>
    /// Offers (score, index) to <paramref name="heap"/>, which holds <paramref name="count"/> pairs and at
    /// most <paramref name="capacity"/>; returns the new count. A pair that does not beat a full heap's root is dropped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Offer<TStorage>(TStorage heap, int count, int capacity, float score, int index)
        where TStorage : struct, ITopNHeapStorage
    {
        if (count < capacity)
        {
            SiftUp(heap, count, score, index);
            return count + 1;
        }
        if (Worse(heap.Score(0), heap.Index(0), score, index))
        {
            SiftDown(heap, count, score, index);
        }
        return count;
    }

    /// <summary>Sorts the heap of <paramref name="count"/> pairs in place, best first (heapsort: the worst moves to the end each step).</summary>
    public static void SortBestFirst<TStorage>(TStorage heap, int count)
        where TStorage : struct, ITopNHeapStorage
    {
        for (int end = count - 1; end > 0; end--)
        {
            float score = heap.Score(end);
            int index = heap.Index(end);
            heap.Put(end, heap.Score(0), heap.Index(0));
            SiftDown(heap, end, score, index);
        }
    }

    /// <summary>Moves the hole at slot <paramref name="c"/> up past every parent that ranks above (score, index), then fills it.</summary>
    private static void SiftUp<TStorage>(TStorage heap, int c, float score, int index)
        where TStorage : struct, ITopNHeapStorage
    {
        while (c > 0)
        {
            int parent = (c - 1) >> 1;
            if (!Worse(score, index, heap.Score(parent), heap.Index(parent)))
            {
                break;
            }
            heap.Put(c, heap.Score(parent), heap.Index(parent));
            c = parent;
        }
        heap.Put(c, score, index);
    }

    /// <summary>
    /// Places (score, index) at the root of the heap of <paramref name="count"/> pairs: the hole moves down
    /// past the worse child while that child ranks below (score, index), then is filled.
    /// </summary>
    private static void SiftDown<TStorage>(TStorage heap, int count, float score, int index)
        where TStorage : struct, ITopNHeapStorage
    {
        int c = 0;
        while (true)
        {
            int m = 2 * c + 1;
            if (m >= count)
            {
                break;
            }
            if (m + 1 < count && Worse(heap.Score(m + 1), heap.Index(m + 1), heap.Score(m), heap.Index(m)))
            {
                m++;
            }
            if (!Worse(heap.Score(m), heap.Index(m), score, index))
            {
                break;
            }
            heap.Put(c, heap.Score(m), heap.Index(m));
            c = m;
        }
        heap.Put(c, score, index);
    }
}
