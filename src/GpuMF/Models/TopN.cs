namespace GpuMF.Models;

/// <summary>
/// Bounded selection of the n best (index, score) pairs: a min-heap of size n over a stream of scores.
/// Ties are broken towards the lower index so that results do not depend on scan order.
/// </summary>
internal sealed class TopN
{
    private readonly int[] _index;
    private readonly float[] _score;

    public TopN(int capacity)
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
            int c = Count++;
            _index[c] = index;
            _score[c] = score;
            SiftUp(c);
        }
        else if (Worse(_score[0], _index[0], score, index))
        {
            _index[0] = index;
            _score[0] = score;
            SiftDown(0);
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
                _index[0] = _index[Count];
                _score[0] = _score[Count];
                SiftDown(0);
            }
        }
        return n;
    }

    private void SiftUp(int c)
    {
        while (c > 0)
        {
            int parent = (c - 1) / 2;
            if (!Worse(_score[c], _index[c], _score[parent], _index[parent]))
            {
                break;
            }
            Swap(c, parent);
            c = parent;
        }
    }

    private void SiftDown(int c)
    {
        while (true)
        {
            int l = 2 * c + 1, r = l + 1, m = c;
            if (l < Count && Worse(_score[l], _index[l], _score[m], _index[m]))
            {
                m = l;
            }
            if (r < Count && Worse(_score[r], _index[r], _score[m], _index[m]))
            {
                m = r;
            }
            if (m == c)
            {
                return;
            }
            Swap(c, m);
            c = m;
        }
    }

    private void Swap(int a, int b)
    {
        (_index[a], _index[b]) = (_index[b], _index[a]);
        (_score[a], _score[b]) = (_score[b], _score[a]);
    }
}
