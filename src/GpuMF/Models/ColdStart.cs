using System.Numerics.Tensors;
using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// Cold start on a hybrid model (BPR or WARP trained with features, <see cref="FactorModel.UserFeatures"/>,
/// <see cref="FactorModel.ItemFeatures"/>): a user or an item that never appeared in training, described only by
/// named features (<c>occupation=programmer</c>, <c>genre=Comedy</c>), gets the vector Σ weight · embedding of its
/// features, the weights first scaled to sum to 1 when the model's descriptions were
/// (<see cref="FeatureEmbeddings.Normalized"/>). A new user's vector is recommended for by
/// <see cref="FactorModel.Recommend(UserVector, int)"/>; a new item's is compared with the model's items
/// (<c>SimilarItems</c>) or scored for the model's users (<c>ScoreUsers</c>, <c>TopUsers</c>). Nothing is added to
/// the model: <see cref="FeatureOnlyEntities"/> adds such entities for good.
/// </summary>
public static class ColdStart
{
    /// <summary>How many of the model's feature names an unknown-feature message lists.</summary>
    private const int NamesShown = 5;

    /// <summary>Users scored per parallel work item of <c>ScoreUsers</c>.</summary>
    private const int UsersPerTask = 4096;

    extension(FactorModel model)
    {
        /// <summary>The vector of a new user described by features alone: p = Σ w·e_f, its seen items empty.</summary>
        /// <param name="features">(feature name, weight) pairs: names the model knows, each once; weights finite and ≥ 0, not all 0.</param>
        /// <exception cref="ArgumentException">The model has no user features; a feature is unknown or named twice; a weight is negative or not finite; the description is empty or its weights sum to 0.</exception>
        public UserVector UserFromFeatures(IEnumerable<(string Feature, float Weight)> features)
        {
            ArgumentNullException.ThrowIfNull(features);
            var embeddings = Require(model.UserFeatures, "user");
            var (columns, weights) = Describe(embeddings, features, "user");
            var factors = new float[model.Factors];
            float bias = Compose(embeddings, columns, weights, factors, "The user's description");
            return new UserVector(factors, bias, []);
        }

        /// <summary>The vector of a new item described by features alone: q = Σ w·e_g and bias Σ w·b_g (0 when the model keeps no feature biases), no users behind it.</summary>
        /// <param name="features">(feature name, weight) pairs: names the model knows, each once; weights finite and ≥ 0, not all 0.</param>
        /// <exception cref="ArgumentException">The model has no item features; a feature is unknown or named twice; a weight is negative or not finite; the description is empty or its weights sum to 0.</exception>
        public ItemVector ItemFromFeatures(IEnumerable<(string Feature, float Weight)> features)
        {
            ArgumentNullException.ThrowIfNull(features);
            var embeddings = Require(model.ItemFeatures, "item");
            var (columns, weights) = Describe(embeddings, features, "item");
            var factors = new float[model.Factors];
            float bias = Compose(embeddings, columns, weights, factors, "The item's description");
            return new ItemVector(factors, bias, []);
        }

        /// <summary>
        /// The model's items most similar to <paramref name="item"/> (from <c>ItemFromFeatures</c> or
        /// <c>RecalculateItem</c>) by cosine of their factors, best first, ties to the lower index, as
        /// <see cref="FactorModel.SimilarItems(string, int)"/> ranks them for a known item. A vector of zeros is
        /// similar to nothing: every item scores 0.
        /// </summary>
        /// <param name="item">The item's vector, of the model's factor count.</param>
        /// <param name="n">How many, ≥ 1 (default 10); at most the model's items come back.</param>
        /// <exception cref="ArgumentException">The item's factor count differs from the model's.</exception>
        public IReadOnlyList<ScoredItem> SimilarItems(ItemVector item, int n = 10)
        {
            RequireFactors(model, item);
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
            var unit = new float[model.Factors];
            float norm = TensorPrimitives.Norm(item.Factors);
            if (norm > 0)
            {
                TensorPrimitives.Divide(item.Factors, norm, unit);
            }
            return FactorModel.Scored(model.Items, FactorModel.TopOne(TopNProblems.SimilarToVector(model, unit), model.PackedNormalizedItems, 0, n));
        }

        /// <summary>
        /// The score of <paramref name="item"/> for every user of the model, p_u·q + b (the item's bias), index = dense
        /// user: what <see cref="FactorModel.Score"/> gives a model item, for an item the model does not hold.
        /// </summary>
        /// <param name="item">The item's vector, of the model's factor count.</param>
        /// <exception cref="ArgumentException">The item's factor count differs from the model's.</exception>
        public float[] ScoreUsers(ItemVector item)
        {
            RequireFactors(model, item);
            int users = model.Users.Count;
            var scores = new float[users];
            Parallel.For(0, (users + UsersPerTask - 1) / UsersPerTask, t =>
            {
                int end = Math.Min(users, (t + 1) * UsersPerTask);
                for (int u = t * UsersPerTask; u < end; u++)
                {
                    scores[u] = TensorPrimitives.Dot(model.UserRow(u), item.Factors) + item.Bias;
                }
            });
            return scores;
        }

        /// <summary>
        /// The <paramref name="n"/> users that would rank <paramref name="item"/> highest, by the scores of
        /// <c>ScoreUsers</c>, best first, ties to the lower index; the users the item was folded in from
        /// (<see cref="ItemVector.Users"/>, none for an item from features) are left out, as a user's own items are
        /// left out of recommendations. The entries carry user ids.
        /// </summary>
        /// <param name="item">The item's vector, of the model's factor count.</param>
        /// <param name="n">How many, ≥ 1 (default 10); at most the model's users come back.</param>
        /// <exception cref="ArgumentException">The item's factor count differs from the model's, or its users are not dense users of the model.</exception>
        public IReadOnlyList<ScoredItem> TopUsers(ItemVector item, int n = 10)
        {
            RequireFactors(model, item);
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
            var scores = model.ScoreUsers(item);
            var left = new bool[scores.Length];
            foreach (int u in item.Users)
            {
                if ((uint)u >= (uint)scores.Length)
                {
                    throw new ArgumentException($"The item names user index {u}, but the model has {scores.Length} users: the vector belongs to another model.", nameof(item));
                }
                left[u] = true;
            }
            var best = new PriorityQueue<int, (float Score, int Index)>(n + 1, WorstFirst.Instance);
            for (int u = 0; u < scores.Length; u++)
            {
                if (!left[u])
                {
                    best.Enqueue(u, (scores[u], u));
                    if (best.Count > n)
                    {
                        best.Dequeue();
                    }
                }
            }
            var result = new ScoredItem[best.Count];
            for (int k = result.Length - 1; k >= 0; k--)
            {
                int u = best.Dequeue();
                result[k] = ScoredItem.Of(model.Users, u, scores[u]);
            }
            return result;
        }
    }

    /// <summary>The embeddings of one side, or the error that says the model was trained without them and how to train with them.</summary>
    /// <exception cref="ArgumentException">The model has no features on that side.</exception>
    internal static FeatureEmbeddings Require(FeatureEmbeddings? embeddings, string side) =>
        embeddings ?? throw new ArgumentException(
            $"The model was trained without {side} features, so it cannot represent a {side} by features: train BPR or WARP with {side} features (--{side}-features FILE) to get a model that can.");

    /// <summary>
    /// Σ w·embedding of the given features into <paramref name="into"/> (zeroed by the caller), the weights scaled to sum
    /// to 1 when the embeddings' descriptions are; returns Σ w·bias (0 without feature biases).
    /// </summary>
    /// <param name="embeddings">The side's feature embeddings.</param>
    /// <param name="features">Rows of the embeddings.</param>
    /// <param name="weights">Their weights, finite and ≥ 0.</param>
    /// <param name="into">The vector, of the embeddings' factor count.</param>
    /// <param name="what">What the weights describe, to begin the error with ("The user's description", "New item 'x'").</param>
    /// <exception cref="ArgumentException">The weights sum to 0, or the result overflows.</exception>
    internal static float Compose(FeatureEmbeddings embeddings, ReadOnlySpan<int> features, ReadOnlySpan<float> weights, Span<float> into, string what)
    {
        double sum = 0;
        foreach (float w in weights)
        {
            sum += w;
        }
        if (!(sum > 0))
        {
            throw new ArgumentException($"{what} has no feature of positive weight: nothing describes it.");
        }
        int k = embeddings.Factors;
        double scale = embeddings.Normalized ? 1 / sum : 1;
        double bias = 0;
        for (int n = 0; n < features.Length; n++)
        {
            float a = (float)(weights[n] * scale);
            TensorPrimitives.MultiplyAdd(embeddings.Vectors.AsSpan(features[n] * k, k), a, into, into);
            bias += a * (double)(embeddings.Biases?[features[n]] ?? 0f);
        }
        if (!float.IsFinite(TensorPrimitives.MaxMagnitude<float>(into)) || !double.IsFinite(bias) || Math.Abs(bias) > float.MaxValue)
        {
            throw new ArgumentException($"{what} has weights so large that its vector overflows: give weights near 1.");
        }
        return (float)bias;
    }

    /// <summary>A description's features as the embeddings' rows, each weight checked.</summary>
    /// <exception cref="ArgumentException">An unknown, repeated or null feature, a negative or non-finite weight, or no features.</exception>
    private static (int[] Columns, float[] Weights) Describe(FeatureEmbeddings embeddings, IEnumerable<(string Feature, float Weight)> features, string side)
    {
        var columns = new List<int>();
        var weights = new List<float>();
        var named = new HashSet<int>();
        foreach (var (feature, weight) in features)
        {
            if (feature is null)
            {
                throw new ArgumentException($"Feature {columns.Count} of the {side}'s description is null.", nameof(features));
            }
            if (!embeddings.Names.TryGetIndex(feature, out int g))
            {
                throw new ArgumentException(Unknown(embeddings, feature, side), nameof(features));
            }
            if (!float.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentException($"The {side} feature '{feature}' has the weight {weight}; weights are finite and ≥ 0.", nameof(features));
            }
            if (!named.Add(g))
            {
                throw new ArgumentException($"The {side}'s description names the feature '{feature}' twice: give each feature once, with its whole weight.", nameof(features));
            }
            columns.Add(g);
            weights.Add(weight);
        }
        if (columns.Count == 0)
        {
            throw new ArgumentException($"The {side}'s description is empty: name at least one of the model's {embeddings.Names.Count} {side} features.", nameof(features));
        }
        return ([.. columns], [.. weights]);
    }

    /// <summary>
    /// Names the unknown feature, how many the model knows and a few of them: those that share the text before the
    /// first '=' (the same attribute, another value) where there are such, else the first ones.
    /// </summary>
    private static string Unknown(FeatureEmbeddings embeddings, string feature, string side)
    {
        int count = embeddings.Names.Count;
        if (count == 0)
        {
            return $"Unknown {side} feature '{feature}': the model knows no named {side} features.";
        }
        var names = embeddings.Names.Names;
        int cut = feature.IndexOf('=', StringComparison.Ordinal);
        var shown = cut > 0
            ? names.Where(x => x.Length > cut && x[cut] == '=' && string.CompareOrdinal(x, 0, feature, 0, cut) == 0).Take(NamesShown).ToList()
            : [];
        if (shown.Count == 0)
        {
            shown = names.Take(NamesShown).ToList();
        }
        string list = string.Join(", ", shown.Select(x => $"'{x}'"));
        return $"Unknown {side} feature '{feature}': the model knows {count} {side} features, among them {list}{(count > shown.Count ? ", …" : "")}.";
    }

    private static void RequireFactors(FactorModel model, ItemVector item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Factors.Length != model.Factors)
        {
            throw new ArgumentException($"The item has {item.Factors.Length} factors; the model has {model.Factors}.", nameof(item));
        }
    }

    /// <summary>Orders (score, index) worst first: a lower score, or the same score at a higher index.</summary>
    private sealed class WorstFirst : IComparer<(float Score, int Index)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, int Index) x, (float Score, int Index) y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Index.CompareTo(x.Index);
    }
}
