namespace GpuMF.TopN;

/// <summary>
/// Bounded selection of the n best (index, score) pairs: a min-heap of size n over a stream of scores.
/// Ties are broken towards the lower index so that results do not depend on scan order.
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

    /// <summary>True when (a, ia) ranks below (b, ib): lower score, or equal score and higher index.</summary>
    private static bool Worse(float a, int ia, float b, int ib) => a < b || (a == b && ia > ib);

    public void Offer(int index, float score)
    {
        if (Count < _index.Length)
        {
            SiftUp(Count++, index, score);
        }
        else if (Worse(_score[0], _index[0], score, index))
        {
            SiftDown(index, score);
        }
    }

    /// <summary>Writes the kept pairs best first into the spans (each at least <see cref="Count"/> long) and returns how many; empties the heap.</summary>
    public int DrainInto(Span<int> indices, Span<float> scores)
    {
        int n = Count;
        for (int k = n - 1; k >= 0; k--)
        {
            indices[k] = _index[0];
            scores[k] = _score[0];
            Count--;
            if (Count > 0)
            {
                SiftDown(_index[Count], _score[Count]);
            }
        }
        return n;
    }

    /// <summary>Moves the hole at <paramref name="c"/> up past every parent that ranks above (index, score), then fills it.</summary>
    private void SiftUp(int c, int index, float score)
    {
        var scores = _score;
        var indices = _index;
        while (c > 0)
        {
            int parent = (c - 1) >> 1;
            if (!Worse(score, index, scores[parent], indices[parent]))
            {
                break;
            }
            scores[c] = scores[parent];
            indices[c] = indices[parent];
            c = parent;
        }
        scores[c] = score;
        indices[c] = index;
    }

    /// <summary>Replaces the root by (index, score): the hole moves down past the worse child while it ranks below (index, score).</summary>
    private void SiftDown(int index, float score)
    {
        var scores = _score;
        var indices = _index;
        int count = Count;
        int c = 0;
        while (true)
        {
            int m = 2 * c + 1;
            if (m >= count)
            {
                break;
            }
            if (m + 1 < count && Worse(scores[m + 1], indices[m + 1], scores[m], indices[m]))
            {
                m++;
            }
            if (!Worse(scores[m], indices[m], score, index))
            {
                break;
            }
            scores[c] = scores[m];
            indices[c] = indices[m];
            c = m;
        }
        scores[c] = score;
        indices[c] = index;
    }
}
