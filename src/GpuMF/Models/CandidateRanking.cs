using GpuMF.Backends;
using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// Candidate scoring on a model: <c>model.RankItems(user, items)</c> orders items chosen elsewhere by the model's score,
/// best first (see <see cref="CandidateScorer"/>, which these calls use and which a job ranking many lists should keep).
/// </summary>
public static class CandidateRanking
{
    extension(FactorModel model)
    {
        /// <summary>
        /// Ranks <paramref name="items"/> for <paramref name="user"/> by p_u·q_i + b_i, best first, ties to the lower dense
        /// index, each item once; the scores equal <see cref="FactorModel.Score"/>.
        /// </summary>
        /// <param name="user">External user id.</param>
        /// <param name="items">External item ids, any order; repeats are ranked once.</param>
        /// <param name="filterSeen">Leave out the user's training items (default false: they are ranked with the rest).</param>
        /// <param name="skipUnknown">Leave out items the model does not know (default false: such an item is an error).</param>
        /// <exception cref="KeyNotFoundException">The user is unknown, or an item is and <paramref name="skipUnknown"/> is false; the message names it.</exception>
        public IReadOnlyList<ScoredItem> RankItems(long user, IReadOnlyList<long> items, bool filterSeen = false, bool skipUnknown = false)
        {
            ArgumentNullException.ThrowIfNull(items);
            int u = model.Users.IndexOf(user, "user");
            var dense = new List<int>(items.Count);
            for (int k = 0; k < items.Count; k++)
            {
                if (model.Items.TryGetIndex(items[k], out int i))
                {
                    dense.Add(i);
                }
                else if (!skipUnknown)
                {
                    throw new KeyNotFoundException($"Unknown item {items[k]} (candidate {k + 1} of {items.Count}).");
                }
            }
            return [.. model.RankItemsIndex(u, dense.ToArray(), filterSeen).Select(x => new ScoredItem(model.Items[x.Index], x.Score))];
        }

        /// <summary><see cref="RankItems(FactorModel, long, IReadOnlyList{long}, bool, bool)"/> for a model of string ids.</summary>
        /// <param name="user">External user id.</param>
        /// <param name="items">External item ids, any order; repeats are ranked once.</param>
        /// <param name="filterSeen">Leave out the user's training items (default false).</param>
        /// <param name="skipUnknown">Leave out items the model does not know (default false: such an item is an error).</param>
        /// <exception cref="KeyNotFoundException">The user is unknown, or an item is and <paramref name="skipUnknown"/> is false; the message names it.</exception>
        public IReadOnlyList<(string Item, float Score)> RankItems(string user, IReadOnlyList<string> items, bool filterSeen = false, bool skipUnknown = false)
        {
            ArgumentNullException.ThrowIfNull(user);
            ArgumentNullException.ThrowIfNull(items);
            int u = model.Users.IndexOf(user, "user");
            var dense = new List<int>(items.Count);
            for (int k = 0; k < items.Count; k++)
            {
                string item = items[k] ?? throw new ArgumentException($"Candidate {k + 1} of {items.Count} is null.", nameof(items));
                if (model.Items.TryGetIndex(item, out int i))
                {
                    dense.Add(i);
                }
                else if (!skipUnknown)
                {
                    throw new KeyNotFoundException($"Unknown item '{item}' (candidate {k + 1} of {items.Count}).");
                }
            }
            return [.. model.RankItemsIndex(u, dense.ToArray(), filterSeen).Select(x => (model.Items.Text(x.Index), x.Score))];
        }

        /// <summary>Ranks dense items for dense user <paramref name="user"/>: the index form of <c>RankItems</c>, on the managed CPU.</summary>
        /// <param name="user">Dense user index, 0..Users.Count-1.</param>
        /// <param name="items">Dense item indices, 0..Items.Count-1; repeats are ranked once.</param>
        /// <param name="filterSeen">Leave out the user's training items (default false).</param>
        /// <exception cref="ArgumentException">An index is out of range.</exception>
        public (int Index, float Score)[] RankItemsIndex(int user, int[] items, bool filterSeen = false)
        {
            ArgumentNullException.ThrowIfNull(items);
            using var scorer = CandidateScorer.Create(model, null, filterSeen);
            var ranked = scorer.Rank(new[] { user }, new[] { 0, items.Length }, items);
            var result = new (int, float)[ranked.Items(0).Length];
            for (int c = 0; c < result.Length; c++)
            {
                result[c] = (ranked.Items(0)[c], ranked.Scores(0)[c]);
            }
            return result;
        }

        /// <summary>
        /// Ranks the candidate lists of many users at once (compressed rows, as <see cref="CandidateScorer.Rank"/> takes
        /// them), on <paramref name="backend"/> when it is an ILGPU device. A job of many chunks keeps one
        /// <see cref="CandidateScorer"/> instead, so that the factors go to the device once.
        /// </summary>
        /// <param name="users">Dense user index of each list.</param>
        /// <param name="offsets">Where each list starts in <paramref name="items"/>, one more than <paramref name="users"/>.</param>
        /// <param name="items">Dense item indices of every list, one after the other.</param>
        /// <param name="filterSeen">Leave out each user's training items (default false).</param>
        /// <param name="backend">Where to score (default null: the managed CPU, every core).</param>
        /// <exception cref="ArgumentException">The offsets do not fit the lists, or an index is out of range.</exception>
        public CandidateLists RankCandidates(ReadOnlyMemory<int> users, ReadOnlyMemory<int> offsets, ReadOnlyMemory<int> items, bool filterSeen = false, ComputeBackend? backend = null)
        {
            using var scorer = CandidateScorer.Create(model, backend, filterSeen);
            return scorer.Rank(users, offsets, items);
        }
    }
}
