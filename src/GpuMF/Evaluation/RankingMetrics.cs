using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Evaluation;

/// <summary>
/// Top-K ranking quality on held-out positives, with the definitions of implicit's
/// <c>ranking_metrics_at_k</c> so that figures compare with it:
/// precision@K = Σ hits / Σ min(K, |T_u|) over users; MAP@K, NDCG@K and AUC@K are means over users with
/// a test item; <see cref="AucFull"/> is the exact per-user AUC of test items against every item that is
/// neither a training nor a test item, averaged over users.
/// </summary>
/// <param name="K">Cut-off.</param>
/// <param name="Precision">precision@K.</param>
/// <param name="Map">MAP@K.</param>
/// <param name="Ndcg">NDCG@K.</param>
/// <param name="Auc">implicit's truncated AUC@K.</param>
/// <param name="AucFull">Exact AUC against all unobserved items.</param>
/// <param name="Users">Users evaluated (those with at least one test item).</param>
public sealed record RankingMetrics(int K, double Precision, double Map, double Ndcg, double Auc, double AucFull, int Users)
{
    /// <summary>The items each list was drawn from: the candidates of <see cref="EvaluateAmong"/> and the cold-start protocols, 0 for every item.</summary>
    public int Candidates { get; init; }

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="test"/>, built with the training matrix's id maps.</summary>
    /// <param name="model">The model; its seen items (the training data) are excluded from every list.</param>
    /// <param name="test">Held-out positives in the model's index space; every user and item in it must be in the model.</param>
    /// <param name="k">Cut-off, ≥ 1 (default 10).</param>
    public static RankingMetrics Evaluate(FactorModel model, InteractionMatrix test, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (test.UserCount > model.Users.Count || test.ItemCount > model.Items.Count)
        {
            throw new ArgumentException(
                $"The test matrix spans {test.UserCount} users and {test.ItemCount} items, the model {model.Users.Count} and {model.Items.Count}: ranking needs every test user and item in the model "
                + "(build the training matrix over the test's ids too, as gpumf evaluate does, or leave the unseen ones out).",
                nameof(test));
        }
        int nItems = model.Items.Count;
        var perUser = new UserScore[test.UserCount];
        Parallel.For(0, test.UserCount, () => new float[nItems], (u, _, scores) =>
        {
            var likes = test.ItemsOf(u);
            if (likes.IsEmpty)
            {
                return scores;
            }
            var ids = model.RecommendIndex(u, k, filterSeen: true);
            for (int i = 0; i < nItems; i++)
            {
                scores[i] = model.Score(u, i);
            }
            perUser[u] = Score(ids, likes, k, nItems, scores, model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]));
            return scores;
        }, _ => { });
        return Summarize(k, perUser, "No user has a test item.");
    }

    /// <summary>
    /// Evaluates <paramref name="model"/> with each user's list drawn from <paramref name="candidates"/> only: the
    /// cold-start protocols, where the candidates are the items absent from training (item cold start) or every item
    /// for users absent from training (user cold start). A user's test items outside the candidates are left out;
    /// users with none among them are not evaluated; <see cref="AucFull"/> is taken against the other candidates.
    /// </summary>
    /// <param name="model">The model; its seen items are excluded from every list.</param>
    /// <param name="test">Held-out positives in the model's index space.</param>
    /// <param name="candidates">Dense item indices to rank, distinct, each &lt; the model's item count.</param>
    /// <param name="k">Cut-off, ≥ 1 (default 10).</param>
    /// <exception cref="ArgumentException">The test matrix spans more users or items than the model, a candidate is out of range or repeated, or no user has a test item among the candidates.</exception>
    public static RankingMetrics EvaluateAmong(FactorModel model, InteractionMatrix test, IReadOnlyList<int> candidates, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (test.UserCount > model.Users.Count || test.ItemCount > model.Items.Count)
        {
            throw new ArgumentException($"The test matrix spans {test.UserCount} users and {test.ItemCount} items, the model {model.Users.Count} and {model.Items.Count}.", nameof(test));
        }
        var position = new int[model.Items.Count];
        Array.Fill(position, -1);
        for (int c = 0; c < candidates.Count; c++)
        {
            int i = candidates[c];
            if ((uint)i >= (uint)position.Length || position[i] >= 0)
            {
                throw new ArgumentException($"Candidate {c} is item index {i}: candidates are distinct indices below {position.Length}.", nameof(candidates));
            }
            position[i] = c;
        }
        int n = candidates.Count;
        var perUser = new UserScore[test.UserCount];
        Parallel.For(0, test.UserCount, () => new float[n], (u, _, scores) =>
        {
            var likes = InCandidates(test.ItemsOf(u), position);
            if (likes.Length == 0)
            {
                return scores;
            }
            var seen = InCandidates(model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]), position);
            for (int c = 0; c < n; c++)
            {
                scores[c] = model.Score(u, candidates[c]);
            }
            perUser[u] = Score(TopAmong(scores, seen, k), likes, k, n, scores, seen);
            return scores;
        }, _ => { });
        return Summarize(k, perUser, "No user has a test item among the candidates.") with { Candidates = n };
    }

    /// <summary>
    /// The item cold-start protocol: the model's items from <paramref name="firstCold"/> on are those training lacked
    /// (added from their features), and each user ranks only those of them that hold a test row.
    /// </summary>
    /// <param name="model">The model, its training items first and the cold ones after them.</param>
    /// <param name="test">Held-out positives in the model's index space.</param>
    /// <param name="firstCold">The first cold item's index: the training data's item count.</param>
    /// <param name="k">Cut-off, ≥ 1 (default 10).</param>
    /// <exception cref="ArgumentException">No test row holds a cold item.</exception>
    public static RankingMetrics EvaluateColdItems(FactorModel model, InteractionMatrix test, int firstCold, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(test);
        var candidates = new List<int>();
        for (int i = Math.Max(0, firstCold); i < test.ItemCount; i++)
        {
            if (test.ItemPtr[i + 1] > test.ItemPtr[i])
            {
                candidates.Add(i);
            }
        }
        if (candidates.Count == 0)
        {
            throw new ArgumentException($"No test row holds an item from index {firstCold} on (an item training lacked).", nameof(test));
        }
        return EvaluateAmong(model, test, candidates, k) with { Candidates = candidates.Count };
    }

    /// <summary>
    /// The user cold-start protocol: the model's users from <paramref name="firstCold"/> on are those training lacked
    /// (added from their features), and each of them with a test row ranks every item.
    /// </summary>
    /// <param name="model">The model, its training users first and the cold ones after them.</param>
    /// <param name="test">Held-out positives in the model's index space; rows of warm users are not judged.</param>
    /// <param name="firstCold">The first cold user's index: the training data's user count.</param>
    /// <param name="k">Cut-off, ≥ 1 (default 10).</param>
    /// <exception cref="ArgumentException">No cold user has a test row.</exception>
    public static RankingMetrics EvaluateColdUsers(FactorModel model, InteractionMatrix test, int firstCold, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        var users = new List<int>();
        var items = new List<int>();
        for (int u = Math.Max(0, firstCold); u < test.UserCount; u++)
        {
            foreach (int i in test.ItemsOf(u))
            {
                users.Add(u);
                items.Add(i);
            }
        }
        if (users.Count == 0)
        {
            throw new ArgumentException($"No user from index {firstCold} on (a user training lacked) has a test row.", nameof(test));
        }
        var cold = InteractionMatrix.FromIndices(test.Users, test.Items, [.. users], [.. items], [.. Enumerable.Repeat(1f, users.Count)]);
        return EvaluateAmong(model, cold, [.. Enumerable.Range(0, model.Items.Count)], k) with { Candidates = model.Items.Count };
    }

    /// <summary>The positions in the candidate list of the items of <paramref name="items"/> that are candidates, ascending.</summary>
    private static int[] InCandidates(ReadOnlySpan<int> items, int[] position)
    {
        var result = new List<int>(items.Length);
        foreach (int i in items)
        {
            if (i < position.Length && position[i] >= 0)
            {
                result.Add(position[i]);
            }
        }
        result.Sort();
        return [.. result];
    }

    /// <summary>The <paramref name="k"/> best candidate positions by score, seen ones left out, best first (ties: lower position first).</summary>
    private static (int Index, float Score)[] TopAmong(float[] scores, int[] seen, int k)
    {
        var order = new List<(int Index, float Score)>(scores.Length);
        for (int c = 0; c < scores.Length; c++)
        {
            if (Array.BinarySearch(seen, c) < 0)
            {
                order.Add((c, scores[c]));
            }
        }
        order.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return [.. order.Take(k)];
    }

    private static RankingMetrics Summarize(int k, UserScore[] perUser, string none)
    {
        double relevant = 0, total = 0, ap = 0, ndcg = 0, auc = 0, aucFull = 0;
        int users = 0;
        foreach (var s in perUser)
        {
            if (!s.Evaluated)
            {
                continue;
            }
            users++;
            relevant += s.Hits;
            total += s.Denominator;
            ap += s.Ap;
            ndcg += s.Ndcg;
            auc += s.Auc;
            aucFull += s.AucFull;
        }
        if (users == 0)
        {
            throw new ArgumentException(none, "test");
        }
        return new RankingMetrics(k, relevant / total, ap / users, ndcg / users, auc / users, aucFull / users, users);
    }

    private readonly record struct UserScore(bool Evaluated, int Hits, int Denominator, double Ap, double Ndcg, double Auc, double AucFull);

    private static UserScore Score((int Index, float Score)[] ids, ReadOnlySpan<int> likes, int k, int nItems, float[] scores, ReadOnlySpan<int> seen)
    {
        int nPos = likes.Length;
        int nNeg = nItems - nPos;
        double idcg = 0;
        for (int r = 0; r < Math.Min(k, nPos); r++)
        {
            idcg += 1.0 / Math.Log2(r + 2);
        }
        int hit = 0, miss = 0;
        double ap = 0, dcg = 0, auc = 0;
        for (int r = 0; r < k; r++)
        {
            if (r < ids.Length && likes.BinarySearch(ids[r].Index) >= 0)
            {
                hit++;
                ap += hit / (double)(r + 1);
                dcg += 1.0 / Math.Log2(r + 2);
            }
            else
            {
                miss++;
                auc += hit;
            }
        }
        auc += (hit + nPos) / 2.0 * (nNeg - miss);
        int denom = Math.Min(k, nPos);
        return new UserScore(true, hit, denom, ap / denom, dcg / idcg, nNeg > 0 ? auc / ((double)nPos * nNeg) : 0, FullAuc(likes, seen, scores));
    }

    /// <summary>Mann–Whitney AUC of the liked items' scores against every item neither liked nor seen; ties count half.</summary>
    private static double FullAuc(ReadOnlySpan<int> likes, ReadOnlySpan<int> seen, float[] scores)
    {
        var neg = new List<float>(scores.Length);
        for (int i = 0; i < scores.Length; i++)
        {
            if (likes.BinarySearch(i) < 0 && seen.BinarySearch(i) < 0)
            {
                neg.Add(scores[i]);
            }
        }
        if (neg.Count == 0)
        {
            return 0;
        }
        var sorted = neg.ToArray();
        Array.Sort(sorted);
        double wins = 0;
        foreach (int i in likes)
        {
            float s = scores[i];
            int below = LowerBound(sorted, s);
            int notAbove = UpperBound(sorted, s);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double)likes.Length * sorted.Length);
    }

    private static int LowerBound(float[] a, float x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static int UpperBound(float[] a, float x)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
