using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Scoring;

/// <summary>
/// The result of a batch scoring call: one ranked list per query (a user to recommend to, or an item or
/// user to find neighbours of), by external id, each best first with ties to the lower dense index.
/// A list holds <see cref="N"/> entries, or fewer when fewer candidates were admissible.
/// </summary>
public sealed class RankedLists
{
    private readonly long[] _queries;
    private readonly long[] _ids;
    private readonly float[] _scores;
    private readonly int[] _counts;

    internal RankedLists(long[] queries, TopNBuffer dense, IdMap results)
    {
        _queries = queries;
        N = dense.N;
        _counts = dense.Counts[..queries.Length];
        _scores = dense.Scores;
        _ids = new long[(long)queries.Length * N];
        var resultIds = results.Ids;
        for (int q = 0; q < queries.Length; q++)
        {
            for (int c = 0; c < _counts[q]; c++)
            {
                long at = (long)q * N + c;
                _ids[at] = resultIds[dense.Indices[at]];
            }
        }
    }

    /// <summary>Number of lists (queries).</summary>
    public int Count => _queries.Length;

    /// <summary>Most entries per list, 1..<see cref="BatchScorer.MaxN"/>.</summary>
    public int N { get; }

    /// <summary>Entries over all lists.</summary>
    public long TotalEntries => _counts.Sum(c => (long)c);

    /// <summary>The external id of query <paramref name="list"/>.</summary>
    public long QueryId(int list) => _queries[list];

    /// <summary>The external ids of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<long> Ids(int list) => _ids.AsSpan(checked(list * N), _counts[list]);

    /// <summary>The scores of list <paramref name="list"/> (predicted preference, or cosine similarity), best first.</summary>
    public ReadOnlySpan<float> Scores(int list) => _scores.AsSpan(checked(list * N), _counts[list]);

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
}
