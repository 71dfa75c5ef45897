using GpuMF.Data;

namespace GpuMF.TopN;

/// <summary>
/// The result of a batch scoring call: one ranked list per query (a user to recommend to, or an item or
/// user to find neighbours of), by external id, each best first with ties to the lower dense index.
/// A list holds <see cref="N"/> entries, or fewer when fewer candidates were admissible.
/// </summary>
public sealed class RankedLists
{
    private long[] _queries;
    private long[] _ids;
    private float[] _scores;
    private int[] _counts;

    /// <summary>Empty lists with room for <paramref name="capacity"/> queries of <paramref name="n"/> entries.</summary>
    internal RankedLists(int capacity, int n)
    {
        N = n;
        _queries = new long[capacity];
        _ids = new long[(long)capacity * n];
        _scores = new float[(long)capacity * n];
        _counts = new int[capacity];
    }

    /// <summary>Number of lists (queries).</summary>
    public int Count { get; private set; }

    /// <summary>Most entries per list, 1..<c>BatchScorer.MaxN</c>.</summary>
    public int N { get; }

    /// <summary>Entries over all lists.</summary>
    public long TotalEntries
    {
        get
        {
            long total = 0;
            for (int q = 0; q < Count; q++)
            {
                total += _counts[q];
            }
            return total;
        }
    }

    /// <summary>Queries this instance can hold without growing.</summary>
    internal int Capacity => _queries.Length;

    /// <summary>The external id of query <paramref name="list"/>.</summary>
    public long QueryId(int list) => _queries[Check(list)];

    /// <summary>The external ids of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<long> Ids(int list) => _ids.AsSpan(Check(list) * N, _counts[list]);

    /// <summary>The scores of list <paramref name="list"/> (predicted preference, or cosine similarity), best first.</summary>
    public ReadOnlySpan<float> Scores(int list) => _scores.AsSpan(Check(list) * N, _counts[list]);

    /// <summary>List <paramref name="list"/> as (external id, score) pairs, best first.</summary>
    public IReadOnlyList<ScoredItem> this[int list]
    {
        get
        {
            var ids = Ids(list);
            var scores = Scores(list);
            var result = new ScoredItem[ids.Length];
            for (int c = 0; c < ids.Length; c++)
            {
                result[c] = new ScoredItem(ids[c], scores[c]);
            }
            return result;
        }
    }

    /// <summary>Replaces the contents with <paramref name="queries"/> and their dense lists, ids mapped through <paramref name="results"/>.</summary>
    internal void Load(ReadOnlySpan<long> queries, TopNBuffer dense, IdMap results)
    {
        if (queries.Length > Capacity)
        {
            throw new ArgumentException($"{queries.Length} queries do not fit in lists for {Capacity}.", nameof(queries));
        }
        queries.CopyTo(_queries);
        Count = queries.Length;
        var resultIds = results.Ids;
        for (int q = 0; q < Count; q++)
        {
            int count = dense.Counts[q];
            _counts[q] = count;
            long at = (long)q * N;
            Array.Copy(dense.Scores, at, _scores, at, count);
            for (int c = 0; c < count; c++)
            {
                _ids[at + c] = resultIds[dense.Indices[at + c]];
            }
        }
    }

    private int Check(int list)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(list);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(list, Count);
        return list;
    }
}
