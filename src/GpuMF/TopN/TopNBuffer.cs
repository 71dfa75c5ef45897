namespace GpuMF.TopN;

/// <summary>
/// The dense result of a top-N run: for each of <see cref="Rows"/> query rows up to <see cref="N"/>
/// (candidate index, score) pairs, best first, ties to the lower index, in row-major slots of N.
/// </summary>
internal sealed class TopNBuffer
{
    public TopNBuffer(int rows, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Rows = rows;
        N = n;
        Indices = new int[(long)rows * n];
        Scores = new float[(long)rows * n];
        Counts = new int[rows];
    }

    /// <summary>Query rows held.</summary>
    public int Rows { get; }

    /// <summary>Slots per row.</summary>
    public int N { get; }

    /// <summary>Candidate indices, row r at [r·N, r·N + Counts[r]).</summary>
    public int[] Indices { get; }

    /// <summary>Scores, laid out as <see cref="Indices"/>.</summary>
    public float[] Scores { get; }

    /// <summary>Pairs found for each row: N, or fewer when fewer candidates were admissible.</summary>
    public int[] Counts { get; }

    /// <summary>Row <paramref name="r"/>'s pairs, best first.</summary>
    public (int Index, float Score)[] Row(int r)
    {
        var result = new (int, float)[Counts[r]];
        for (int c = 0; c < result.Length; c++)
        {
            result[c] = (Indices[(long)r * N + c], Scores[(long)r * N + c]);
        }
        return result;
    }
}
