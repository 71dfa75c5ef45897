using GpuMF.Data;

namespace GpuMF.TopN;

/// <summary>
/// The result of a batch scoring call: one ranked list per query (a user to recommend to, or an item or
/// user to find neighbours of), each best first with ties to the lower dense index. Entries and queries are
/// held as dense indices of <see cref="Results"/> and <see cref="Queries"/>, so lists of either id kind cost
/// the same; read ids as text (<see cref="QueryText"/>, <see cref="Text"/>) for either kind, or as integers
/// (<see cref="QueryId"/>, <see cref="Ids"/>) where the maps hold integer ids.
/// A list holds <see cref="N"/> entries, or fewer when fewer candidates were admissible.
/// </summary>
public sealed class RankedLists
{
    private readonly int[] _queries;
    private readonly int[] _indices;
    private readonly float[] _scores;
    private readonly int[] _counts;

    /// <summary>The integer ids of the entries, filled only while <see cref="Results"/> holds integer ids.</summary>
    private long[]? _ids;

    /// <summary>Empty lists with room for <paramref name="capacity"/> queries of <paramref name="n"/> entries.</summary>
    internal RankedLists(int capacity, int n, IdMap queries, IdMap results)
    {
        N = n;
        Queries = queries;
        Results = results;
        _queries = new int[capacity];
        _indices = new int[(long)capacity * n];
        _scores = new float[(long)capacity * n];
        _counts = new int[capacity];
    }

    /// <summary>Number of lists (queries).</summary>
    public int Count { get; private set; }

    /// <summary>Most entries per list, 1..<c>BatchScorer.MaxN</c>.</summary>
    public int N { get; }

    /// <summary>The ids the queries are of: users, or items for similar items.</summary>
    public IdMap Queries { get; }

    /// <summary>The ids the entries are of: items, or users for similar users.</summary>
    public IdMap Results { get; }

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

    /// <summary>The dense index (of <see cref="Queries"/>) of query <paramref name="list"/>.</summary>
    public int QueryIndex(int list) => _queries[Check(list)];

    /// <summary>The integer id of query <paramref name="list"/>.</summary>
    /// <exception cref="InvalidOperationException">The queries are of string ids (see <see cref="QueryText"/>).</exception>
    public long QueryId(int list) => Queries[QueryIndex(list)];

    /// <summary>The id of query <paramref name="list"/> as text: the string, or the integer in invariant decimal.</summary>
    public string QueryText(int list) => Queries.Text(QueryIndex(list));

    /// <summary>The dense indices (of <see cref="Results"/>) of list <paramref name="list"/>, best first.</summary>
    public ReadOnlySpan<int> Indices(int list) => _indices.AsSpan(Check(list) * N, _counts[list]);

    /// <summary>The integer ids of list <paramref name="list"/>, best first.</summary>
    /// <exception cref="InvalidOperationException">The entries are of string ids (see <see cref="Text"/> and <see cref="Indices"/>).</exception>
    public ReadOnlySpan<long> Ids(int list)
    {
        int at = Check(list) * N;
        var ids = _ids ?? throw new InvalidOperationException("These lists hold string ids: read them with Text(list, rank), or map Indices(list) through Results.Names.");
        return ids.AsSpan(at, _counts[list]);
    }

    /// <summary>The id of entry <paramref name="rank"/> (0 = best) of list <paramref name="list"/> as text.</summary>
    public string Text(int list, int rank)
    {
        var indices = Indices(list);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, indices.Length);
        return Results.Text(indices[rank]);
    }

    /// <summary>The scores of list <paramref name="list"/> (predicted preference, or cosine similarity), best first.</summary>
    public ReadOnlySpan<float> Scores(int list) => _scores.AsSpan(Check(list) * N, _counts[list]);

    /// <summary>List <paramref name="list"/> as (external id, score) pairs of the ids' kind, best first.</summary>
    public IReadOnlyList<ScoredItem> this[int list]
    {
        get
        {
            var indices = Indices(list);
            var scores = Scores(list);
            var result = new ScoredItem[indices.Length];
            for (int c = 0; c < indices.Length; c++)
            {
                result[c] = ScoredItem.Of(Results, indices[c], scores[c]);
            }
            return result;
        }
    }

    /// <summary>Replaces the contents with the dense query indices <paramref name="queries"/> and their dense lists.</summary>
    internal void Load(ReadOnlySpan<int> queries, TopNBuffer dense)
    {
        if (queries.Length > Capacity)
        {
            throw new ArgumentException($"{queries.Length} queries do not fit in lists for {Capacity}.", nameof(queries));
        }
        queries.CopyTo(_queries);
        Count = queries.Length;
        if (Results.Kind == IdKind.Numeric)
        {
            _ids ??= new long[_indices.LongLength];
        }
        var resultIds = Results.Kind == IdKind.Numeric ? Results.IdSpan : default;
        for (int q = 0; q < Count; q++)
        {
            int count = dense.Counts[q];
            _counts[q] = count;
            long at = (long)q * N;
            Array.Copy(dense.Scores, at, _scores, at, count);
            Array.Copy(dense.Indices, at, _indices, at, count);
            if (_ids is not null)
            {
                for (int c = 0; c < count; c++)
                {
                    _ids[at + c] = resultIds[dense.Indices[at + c]];
                }
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
