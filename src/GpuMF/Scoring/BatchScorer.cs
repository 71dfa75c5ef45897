using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Scoring;

/// <summary>
/// Batch scoring of a model: the top N items of many users at once, or the N nearest items (or users) of
/// many items (or users) by cosine. On an ILGPU backend the model's factors are uploaded once when the
/// scorer is created and every call runs on the device (<see cref="IlgpuTopNEngine"/>); on the managed
/// CPU backend, or with no backend, calls run on every core (<see cref="CpuTopNEngine"/>). Both return the
/// same lists: best first, ties to the lower dense index, up to float rounding of the scores. Create one
/// per job, call <see cref="Score"/> once per chunk of queries, dispose it at the end. Not thread-safe.
/// </summary>
public sealed class BatchScorer : IDisposable
{
    /// <summary>The largest N a batch call accepts.</summary>
    public const int MaxN = 1000;

    private readonly ITopNEngine _engine;
    private readonly string _queryKind;

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
    public static BatchScorer ForRecommendations(FactorModel model, ComputeBackend? backend = null, bool filterSeen = true, ItemFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var allowed = filter?.Resolve(model.Items);
        var problem = TopNProblems.Recommendations(model, filterSeen, allowed);
        return new BatchScorer(model.Users, model.Items, "user", Engine(backend, problem, () => allowed is null ? model.PackedItems : Pack(problem)));
    }

    /// <summary>Similar items: items against items by cosine of their factors, each item leaving itself out.</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to run; null (default) runs on the managed CPU with every core.</param>
    /// <param name="filter">An allow- or deny-list of the items that may be returned (default none).</param>
    public static BatchScorer ForSimilarItems(FactorModel model, ComputeBackend? backend = null, ItemFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var allowed = filter?.Resolve(model.Items);
        var problem = TopNProblems.SimilarItems(model, allowed);
        return new BatchScorer(model.Items, model.Items, "item", Engine(backend, problem, () => allowed is null ? model.PackedNormalizedItems : Pack(problem)));
    }

    /// <summary>Similar users: users against users by cosine of their factors, each user leaving itself out.</summary>
    /// <param name="model">The model.</param>
    /// <param name="backend">Where to run; null (default) runs on the managed CPU with every core.</param>
    public static BatchScorer ForSimilarUsers(FactorModel model, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var problem = TopNProblems.SimilarUsers(model);
        return new BatchScorer(model.Users, model.Users, "user", Engine(backend, problem, () => model.PackedNormalizedUsers));
    }

    /// <summary>The <paramref name="n"/> best results of each query, in the order given (repeats allowed).</summary>
    /// <param name="ids">External ids of <see cref="Queries"/>.</param>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    /// <exception cref="KeyNotFoundException">An id is unknown; the message names it.</exception>
    public RankedLists Score(IReadOnlyList<long> ids, int n)
    {
        ArgumentNullException.ThrowIfNull(ids);
        CheckN(n);
        var rows = new int[ids.Count];
        var queries = new long[ids.Count];
        for (int q = 0; q < rows.Length; q++)
        {
            queries[q] = ids[q];
            rows[q] = Queries.IndexOf(queries[q], _queryKind);
        }
        return new RankedLists(queries, Run(rows, n), Results);
    }

    /// <summary>The <paramref name="n"/> best results of every query id, in dense order.</summary>
    /// <param name="n">Entries per list, 1..<see cref="MaxN"/>.</param>
    public RankedLists ScoreAll(int n)
    {
        CheckN(n);
        var rows = new int[Queries.Count];
        for (int q = 0; q < rows.Length; q++)
        {
            rows[q] = q;
        }
        return new RankedLists(Queries.ToArray(), Run(rows, n), Results);
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    /// <summary>Runs dense query rows; the buffer's rows follow <paramref name="rows"/>.</summary>
    internal TopNBuffer Run(int[] rows, int n)
    {
        var result = new TopNBuffer(rows.Length, n);
        _engine.Run(rows, result);
        return result;
    }

    private static void CheckN(int n)
    {
        if (n < 1 || n > MaxN)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be in 1..{MaxN}.");
        }
    }

    private static ITopNEngine Engine(ComputeBackend? backend, TopNProblem problem, Func<PackedCandidates> packed) =>
        backend is { IsIlgpu: true }
            ? new IlgpuTopNEngine(backend, problem)
            : new CpuTopNEngine(problem, packed(), backend?.Threads ?? Environment.ProcessorCount);

    private static PackedCandidates Pack(TopNProblem problem) =>
        PackedCandidates.Create(problem.Candidates, problem.CandidateCount, problem.Factors, problem.CandidateBias, problem.Allowed);
}
