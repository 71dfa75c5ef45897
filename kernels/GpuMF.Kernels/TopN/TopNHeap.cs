using ILGPU;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// A bounded min-heap of (score, index) pairs in device memory, the root holding the worst kept pair.
/// The order is total: a higher score ranks first, and equal scores rank the lower index first, so the
/// kept set and its order do not depend on the order candidates arrive in. One thread owns a heap.
/// </summary>
public static class TopNHeap
{
    /// <summary>True when (a, ia) ranks below (b, ib).</summary>
    public static bool Worse(float a, int ia, float b, int ib) => a < b || (a == b && ia > ib);

    /// <summary>
    /// Offers (score, index) to the heap of <paramref name="count"/> pairs at <paramref name="at"/> holding at
    /// most <paramref name="capacity"/>; returns the new count. A pair that does not beat a full heap's root is dropped.
    /// </summary>
    public static int Offer(ArrayView<float> scores, ArrayView<int> indices, long at, int count, int capacity, float score, int index)
    {
        if (count < capacity)
        {
            long c = count;
            while (c > 0)
            {
                long parent = (c - 1) / 2;
                if (!Worse(score, index, scores[at + parent], indices[at + parent]))
                {
                    break;
                }
                scores[at + c] = scores[at + parent];
                indices[at + c] = indices[at + parent];
                c = parent;
            }
            scores[at + c] = score;
            indices[at + c] = index;
            return count + 1;
        }
        if (Worse(scores[at], indices[at], score, index))
        {
            SiftDown(scores, indices, at, count, score, index);
        }
        return count;
    }

    /// <summary>Sorts the heap of <paramref name="count"/> pairs in place, best first (heapsort: the worst moves to the end each step).</summary>
    public static void SortBestFirst(ArrayView<float> scores, ArrayView<int> indices, long at, int count)
    {
        for (int end = count - 1; end > 0; end--)
        {
            float s = scores[at + end];
            int i = indices[at + end];
            scores[at + end] = scores[at];
            indices[at + end] = indices[at];
            SiftDown(scores, indices, at, end, s, i);
        }
    }

    /// <summary>Places (score, index) at the root of the heap of <paramref name="count"/> pairs and sifts it down.</summary>
    private static void SiftDown(ArrayView<float> scores, ArrayView<int> indices, long at, int count, float score, int index)
    {
        long c = 0;
        while (true)
        {
            long l = 2 * c + 1;
            if (l >= count)
            {
                break;
            }
            long m = l;
            if (l + 1 < count && Worse(scores[at + l + 1], indices[at + l + 1], scores[at + l], indices[at + l]))
            {
                m = l + 1;
            }
            if (!Worse(scores[at + m], indices[at + m], score, index))
            {
                break;
            }
            scores[at + c] = scores[at + m];
            indices[at + c] = indices[at + m];
            c = m;
        }
        scores[at + c] = score;
        indices[at + c] = index;
    }
}
