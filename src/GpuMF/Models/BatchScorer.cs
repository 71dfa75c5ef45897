using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// Batch scoring of a model: the top N items of many users at once, or the N nearest items (or users) of
/// many items (or users) by cosine. On an ILGPU backend the model's factors are uploaded once when the
/// scorer is created and every call runs on the device (<see cref="IlgpuTopNEngine"/>); on the managed
/// CPU backend, or with no backend, calls run on every core (<see cref="CpuTopNEngine"/>). Both return the
/// same lists: best first, ties to the lower dense index, up to float rounding of the scores. On an ILGPU
/// backend, <see cref="TopNKernel.Fused"/> opts into the kernel that selects while it scores. Create one
/// per job, call <see cref="Score(IReadOnlyList{long}, int)"/> (or its string and dense-index forms) once per chunk of queries, dispose it at the end. Not thread-safe.
/// </summary>
public sealed class BatchScorer : IDisposable
{
    /// <summary>The largest N a batch call accepts.</summary>
    public const int MaxN = 1000;

    private readonly ITopNEngine _engine;
    private readonly string _queryKind;
    private int[] _rows = [];

    private BatchScorer(IdMap queries, IdMap results, string queryKind, ITopNEngine engine)
    {
        Queries = queries;
        Results = results;
        _queryKind = queryKind;
        _engine = engine;
    }

    /// <summary>The ids a query may name: users, or items for <see cref="ForSimilarItems"/>.</summary>
    public IdMap Queries { get; }

    /// <summary>The ids the lists hold: items, or users for <see cref="ForSimilarUsers"/>.</summary>
    public IdMap Results { get; }

    /// <summary>Recommendations: users against items, scored p_u·q_i + b_i (the item bias where the model has one).</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to run; null (default) runs on the managed CPU with every core.</param>
    /// <param name="filterSeen">Leave out each user's training items (default true).</param>
    /// <param name="filter">An allow- or deny-list of items (default none).</param>
    /// <param name="kernel">The device kernels on an ILGPU backend (default <see cref="TopNKernel.Blocked"/>).</param>
    public static BatchScorer ForRecommendations(FactorModel model, ComputeBackend? backend = null, bool filterSeen = true, ItemFilter? filter = null, TopNKernel kernel = TopNKernel.Blocked)
    {
        ArgumentNullException.ThrowIfNull(model);
        var allowed = filter?.Resolve(model.Items);
        var problem = TopNProblems.Recommendations(model, filterSeen, allowed);
        return new BatchScorer(model.Users, model.Items, "user", Engine(backend, problem, () => allowed is null ? model.PackedItems : Pack(problem), kernel));
    }

    /// <summary>Similar items: items against items by cosine of their factors, each item leaving itself out.</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to run; null (default) runs on the managed CPU with every core.</param>
    /// <param name="filter">An allow- or deny-list of the items that may be returned (default none).</param>
    /// <param name="kernel">The device kernels on an ILGPU backend (default <see cref="TopNKernel.Blocked"/>).</param>
    public static BatchScorer ForSimilarItems(FactorModel model, ComputeBackend? backend = null, ItemFilter? filter = null, TopNKernel kernel = TopNKernel.Blocked)
    {
        ArgumentNullException.ThrowIfNull(model);
        var allowed = filter?.Resolve(model.Items);
        var problem = TopNProblems.SimilarItems(model, allowed);
        return new BatchScorer(model.Items, model.Items, "item", Engine(backend, problem, () => allowed is null ? model.PackedNormalizedItems : Pack(problem), kernel));
    }

    /// <summary>Similar users: users against users by cosine of their factors, each user leaving itself out.</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to run; null (default) runs on the managed CPU with every core.</param>
    /// <param name="kernel">The device kernels on an ILGPU backend (default <see cref="TopNKernel.Blocked"/>).</param>
    public static BatchScorer ForSimilarUsers(FactorModel model, ComputeBackend? backend = null, TopNKernel kernel = TopNKernel.Blocked)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problem = TopNProblems.SimilarUsers(model);
        return new BatchScorer(model.Users, model.Users, "user", Engine(backend, problem, () => model.PackedNormalizedUsers, kernel));
    }

    /// <summary>The <paramref name="n"/> best results of each query, in the order given (repeats allowed).</summary>
    /// <param name="ids">External integer ids of <see cref="Queries"/>.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <exception cref="ArgumentException"><see cref="Queries"/> holds string ids (use <see cref="Score(IReadOnlyList{string}, int)"/>).</exception>
    /// <exception cref="KeyNotFoundException">An id is unknown; the message names it.</exception>
    public RankedLists Score(IReadOnlyList<long> ids, int n)
    {
        ArgumentNullException.ThrowIfNull(ids);
        IdKinds.RequireIntegers(Queries, _queryKind);
        return ScoreOnce(ids.Count, q => Queries.IndexOf(ids[q], _queryKind), n);
    }

    /// <summary>
    /// The <paramref name="n"/> best results of each query given as text, in the order given (repeats allowed): strings
    /// as they are where <see cref="Queries"/> holds string ids, integers in decimal where it holds integers.
    /// </summary>
    /// <param name="ids">External ids of <see cref="Queries"/> as text.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <exception cref="KeyNotFoundException">An id is unknown; the message names it and the map's id kind.</exception>
    public RankedLists Score(IReadOnlyList<string> ids, int n)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ScoreOnce(ids.Count, q => IdKinds.Find(Queries, ids[q], _queryKind), n);
    }

    /// <summary>The <paramref name="n"/> best results of each dense query index (0..<see cref="Queries"/>.Count-1), in the order given.</summary>
    /// <param name="rows">Dense indices of <see cref="Queries"/>.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the map.</exception>
    public RankedLists ScoreIndices(IReadOnlyList<int> rows, int n)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return ScoreOnce(rows.Count, q => CheckRow(rows[q]), n);
    }

    /// <summary>The <paramref name="n"/> best results of every query, in dense order, for either id kind.</summary>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    public RankedLists ScoreAll(int n) => ScoreOnce(Queries.Count, q => q, n);

    /// <summary>
    /// Scores a stream of query chunks, handing each chunk's lists to <paramref name="consume"/> before the
    /// next chunk is scored. The lists passed in are reused for the next chunk (so that a job's memory stays
    /// flat however many chunks it has): read or copy them inside the callback only.
    /// </summary>
    /// <param name="chunks">External integer ids of <see cref="Queries"/>, chunk by chunk.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <param name="consume">Called once per chunk with its lists.</param>
    /// <returns>The number of queries scored.</returns>
    /// <exception cref="ArgumentException"><see cref="Queries"/> holds string ids (use <see cref="ScoreIndexChunks"/>).</exception>
    /// <exception cref="KeyNotFoundException">An id is unknown; the message names it.</exception>
    public long ScoreChunks(IEnumerable<IReadOnlyList<long>> chunks, int n, Action<RankedLists> consume)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        IdKinds.RequireIntegers(Queries, _queryKind);
        return ScoreIndexChunks(chunks.Select(ids => (IReadOnlyList<int>)ids.Select(id => Queries.IndexOf(id, _queryKind)).ToArray()), n, consume);
    }

    /// <summary>
    /// <see cref="ScoreChunks"/> for chunks of dense query indices (0..<see cref="Queries"/>.Count-1), which serve
    /// either id kind: the ids of a file resolved with <see cref="IdMap.TryFind"/>, for instance.
    /// </summary>
    /// <param name="chunks">Dense indices of <see cref="Queries"/>, chunk by chunk.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <param name="consume">Called once per chunk with its lists.</param>
    /// <returns>The number of queries scored.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the map.</exception>
    public long ScoreIndexChunks(IEnumerable<IReadOnlyList<int>> chunks, int n, Action<RankedLists> consume)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(consume);
        CheckN(n);
        TopNBuffer? dense = null;
        RankedLists? lists = null;
        long done = 0;
        foreach (var rows in chunks)
        {
            if (lists is null || rows.Count > lists.Capacity)
            {
                lists = new RankedLists(rows.Count, n, Queries, Results);
                dense = new TopNBuffer(rows.Count, n);
            }
            ScoreInto(rows.Count, q => CheckRow(rows[q]), dense!, lists);
            consume(lists);
            done += rows.Count;
        }
        return done;
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private RankedLists ScoreOnce(int count, Func<int, int> row, int n)
    {
        CheckN(n);
        var lists = new RankedLists(count, n, Queries, Results);
        ScoreInto(count, row, new TopNBuffer(count, n), lists);
        return lists;
    }

    /// <summary>Scores <paramref name="count"/> queries, query q at dense row <paramref name="row"/>(q).</summary>
    private void ScoreInto(int count, Func<int, int> row, TopNBuffer dense, RankedLists lists)
    {
        var rows = _rows.Length >= count ? _rows : _rows = new int[count];
        for (int q = 0; q < count; q++)
        {
            rows[q] = row(q);
        }
        _engine.Run(rows.AsMemory(0, count), dense);
        lists.Load(rows.AsSpan(0, count), dense);
    }

    private int CheckRow(int row) =>
        (uint)row < (uint)Queries.Count ? row : throw new ArgumentOutOfRangeException(nameof(row), row, $"A dense {_queryKind} index must be in 0..{Queries.Count - 1}.");

    private static void CheckN(int n)
    {
        if (n < 1 || n > MaxN)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be in 1..{MaxN}.");
        }
    }

    private static ITopNEngine Engine(ComputeBackend? backend, TopNProblem problem, Func<PackedCandidates> packed, TopNKernel kernel) =>
        backend is { IsIlgpu: true }
            ? IlgpuTopNEngine.Create(backend, problem, kernel)
            : new CpuTopNEngine(problem, packed(), backend?.Threads ?? Environment.ProcessorCount);

    private static PackedCandidates Pack(TopNProblem problem) =>
        PackedCandidates.Create(problem.Candidates, problem.CandidateCount, problem.Factors, problem.CandidateBias, problem.Allowed,
            PackedCandidates.RootMeanSquareNorm(problem.Queries, problem.QueryCount, problem.Factors));
}
