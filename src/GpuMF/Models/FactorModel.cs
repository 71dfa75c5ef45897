using System.Numerics.Tensors;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>
/// A trained factor model of any family: user and item factor matrices (row-major, <see cref="Factors"/>
/// columns), optional biases, the id maps, and the training interactions used to filter already-seen
/// items. Immutable; safe to share between threads.
/// </summary>
/// <remarks>
/// Ids are of the kind of <see cref="Users"/> and <see cref="Items"/> (<see cref="IdMap.Kind"/>). Every query comes
/// in two forms: by integer ids, for maps of integer ids only (given a map of string ids they throw an
/// <see cref="ArgumentException"/> naming the kind, rather than treat every id as unknown), and by ids as text,
/// for either kind (strings as they are, integers in decimal: see <see cref="IdMap.TryFind"/>). Results
/// (<see cref="ScoredItem"/>, <see cref="RankedLists"/>) carry ids of the model's kind.
/// </remarks>
public sealed class FactorModel
{
    private float[]? _normalizedItems;
    private float[]? _normalizedUsers;
    private PackedCandidates? _packedItems;
    private PackedCandidates? _packedNormalizedItems;
    private PackedCandidates? _packedNormalizedUsers;
    private AdagradSums? _adagrad;
    private FeatureEmbeddings? _userFeatures;
    private FeatureEmbeddings? _itemFeatures;

    /// <summary>Assembles a model; arrays are taken, not copied, and the id maps are kept as read-only copies (<see cref="IdMap.ToReadOnly()"/>).</summary>
    /// <exception cref="ArgumentException">An array's length does not match the id maps and factor count.</exception>
    public FactorModel(
        ModelKind kind,
        IdMap users,
        IdMap items,
        int factors,
        float[] userFactors,
        float[] itemFactors,
        float[]? userBias,
        float[]? itemBias,
        float globalMean,
        int[] seenPtr,
        int[] seenItems,
        string optionsJson)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(factors, 1);
        Check(userFactors.LongLength == (long)users.Count * factors, "user factors", userFactors.LongLength, (long)users.Count * factors, "the user id map holds more ids than the factors have rows: pass users.ToReadOnly(rows)");
        Check(itemFactors.LongLength == (long)items.Count * factors, "item factors", itemFactors.LongLength, (long)items.Count * factors, "the item id map holds more ids than the factors have rows: pass items.ToReadOnly(rows)");
        Check(userBias is null || userBias.Length == users.Count, "user biases", userBias?.Length ?? 0, users.Count);
        Check(itemBias is null || itemBias.Length == items.Count, "item biases", itemBias?.Length ?? 0, items.Count);
        Check(seenPtr.Length == users.Count + 1, "seen-item offsets", seenPtr.Length, users.Count + 1);
        Kind = kind;
        Users = users.ToReadOnly();
        Items = items.ToReadOnly();
        Factors = factors;
        UserFactors = userFactors;
        ItemFactors = itemFactors;
        UserBias = userBias;
        ItemBias = itemBias;
        GlobalMean = globalMean;
        SeenPtr = seenPtr;
        SeenItems = seenItems;
        OptionsJson = optionsJson;
    }

    /// <summary>The model family.</summary>
    public ModelKind Kind { get; }

    /// <summary>External ↔ dense user ids, read-only.</summary>
    public IdMap Users { get; }

    /// <summary>External ↔ dense item ids, read-only.</summary>
    public IdMap Items { get; }

    /// <summary>Latent factors per user and item.</summary>
    public int Factors { get; }

    /// <summary>User factors, row u at [u·Factors, (u+1)·Factors).</summary>
    public float[] UserFactors { get; }

    /// <summary>Item factors, row i at [i·Factors, (i+1)·Factors).</summary>
    public float[] ItemFactors { get; }

    /// <summary>User biases (SVD), or null.</summary>
    public float[]? UserBias { get; }

    /// <summary>Item biases (SVD, optionally BPR), or null.</summary>
    public float[]? ItemBias { get; }

    /// <summary>Global mean rating μ (SVD), else 0.</summary>
    public float GlobalMean { get; }

    /// <summary>CSR offsets of each user's training items.</summary>
    public int[] SeenPtr { get; }

    /// <summary>CSR training items of each user, ascending, for filtering.</summary>
    public int[] SeenItems { get; }

    /// <summary>The training options as JSON, kept for reproducibility.</summary>
    public string OptionsJson { get; }

    /// <summary>
    /// For a checkpoint written during training, the epochs (or iterations) completed so far, ≥ 1; 0 (the
    /// default) for a finished model.
    /// </summary>
    public int CompletedEpochs { get; init; }

    /// <summary>
    /// For a checkpoint, the SHA-256 of the training data it was trained on (<see cref="InteractionMatrix.Fingerprint"/>),
    /// so that resuming on other data is refused; null for a finished model and for checkpoints of earlier builds.
    /// </summary>
    internal byte[]? DataFingerprint { get; init; }

    /// <summary>For a model trained with user features, the named features' embeddings, which represent a user described by features alone (see <see cref="ColdStart"/>); else null.</summary>
    /// <exception cref="ArgumentException">The embeddings' factor count differs from the model's.</exception>
    public FeatureEmbeddings? UserFeatures
    {
        get => _userFeatures;
        init => _userFeatures = SameFactors(value, "user");
    }

    /// <summary>For a model trained with item features, the named features' embeddings and biases, which represent an item described by features alone (see <see cref="ColdStart"/>); else null.</summary>
    /// <exception cref="ArgumentException">The embeddings' factor count differs from the model's.</exception>
    public FeatureEmbeddings? ItemFeatures
    {
        get => _itemFeatures;
        init => _itemFeatures = SameFactors(value, "item");
    }

    /// <summary>How <see cref="RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/> folds users in: the model family's rule, the least-squares fit by default.</summary>
    internal UserFoldIn FoldIn { get; init; } = LeastSquaresFoldIn.Instance;

    /// <summary>For a BPR or WARP checkpoint trained under adagrad, the sums resuming continues from; else null.</summary>
    /// <exception cref="ArgumentException">An array's length does not match the model's.</exception>
    internal AdagradSums? Adagrad
    {
        get => _adagrad;
        init
        {
            if (value is not null)
            {
                Check(value.Users.LongLength == UserFactors.LongLength, "user adagrad sums", value.Users.LongLength, UserFactors.LongLength);
                Check(value.Items.LongLength == ItemFactors.LongLength, "item adagrad sums", value.Items.LongLength, ItemFactors.LongLength);
                Check(value.ItemBiases.Length == Items.Count, "item-bias adagrad sums", value.ItemBiases.Length, Items.Count);
            }
            _adagrad = value;
        }
    }

    /// <summary>The factors of dense user <paramref name="u"/>.</summary>
    public ReadOnlySpan<float> UserRow(int u) => UserFactors.AsSpan(u * Factors, Factors);

    /// <summary>The factors of dense item <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> ItemRow(int i) => ItemFactors.AsSpan(i * Factors, Factors);

    /// <summary>
    /// The ranking score of dense (u, i): p_u·q_i plus the item bias where there is one. The top-N paths
    /// (<see cref="Recommend(long, int, bool)"/>, <see cref="RecommendAll(IReadOnlyList{long}?, int, bool, ItemFilter?, ComputeBackend?)"/>) sum the same products in
    /// another order, so their scores can differ from this one in the last bits.
    /// </summary>
    public float Score(int u, int i) => TensorPrimitives.Dot(UserRow(u), ItemRow(i)) + (ItemBias?[i] ?? 0f);

    /// <summary>
    /// The predicted rating μ + b_u + b_i + p_u·q_i of external (user, item), unclipped. An unknown user
    /// or item contributes nothing (cold start falls back to the known biases and the mean).
    /// </summary>
    /// <exception cref="ArgumentException">The model's user or item ids are strings (see <see cref="Predict(string, string)"/>).</exception>
    public float Predict(long user, long item)
    {
        IdKinds.RequireIntegers(Users, "user");
        IdKinds.RequireIntegers(Items, "item");
        return Predict(Users.TryGetIndex(user, out int u), u, Items.TryGetIndex(item, out int i), i);
    }

    /// <summary><see cref="Predict(long, long)"/> for ids as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    public float Predict(string user, string item)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(item);
        return Predict(Users.TryFind(user, out int u), u, Items.TryFind(item, out int i), i);
    }

    private float Predict(bool hasU, int u, bool hasI, int i)
    {
        float r = GlobalMean;
        if (hasU && UserBias is not null)
        {
            r += UserBias[u];
        }
        if (hasI && ItemBias is not null)
        {
            r += ItemBias[i];
        }
        if (hasU && hasI)
        {
            r += TensorPrimitives.Dot(UserRow(u), ItemRow(i));
        }
        return r;
    }

    /// <summary>Predicts dense (u, i) pairs in bulk; the explicit-rating counterpart of <see cref="Predict(long, long)"/>.</summary>
    public float PredictIndex(int u, int i) =>
        GlobalMean + (UserBias?[u] ?? 0f) + (ItemBias?[i] ?? 0f) + TensorPrimitives.Dot(UserRow(u), ItemRow(i));

    /// <summary>The <paramref name="n"/> best items (1..catalogue size) for external user <paramref name="user"/>, best first.</summary>
    /// <param name="user">External user id.</param>
    /// <param name="n">How many (default 10).</param>
    /// <param name="filterSeen">Leave out the user's training items (default true).</param>
    /// <exception cref="ArgumentException">The model's user ids are strings (see <see cref="Recommend(string, int, bool)"/>).</exception>
    /// <exception cref="KeyNotFoundException">The user was not in the training data.</exception>
    public IReadOnlyList<ScoredItem> Recommend(long user, int n = 10, bool filterSeen = true)
    {
        IdKinds.RequireIntegers(Users, "user");
        return Scored(Items, RecommendIndex(Users.IndexOf(user, "user"), n, filterSeen));
    }

    /// <summary><see cref="Recommend(long, int, bool)"/> for a user id as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <param name="user">External user id as text.</param>
    /// <param name="n">How many (default 10).</param>
    /// <param name="filterSeen">Leave out the user's training items (default true).</param>
    /// <exception cref="KeyNotFoundException">The user was not in the training data.</exception>
    public IReadOnlyList<ScoredItem> Recommend(string user, int n = 10, bool filterSeen = true) =>
        Scored(Items, RecommendIndex(IdKinds.Find(Users, user, "user"), n, filterSeen));

    /// <summary>
    /// The <paramref name="n"/> best dense items for dense user <paramref name="u"/>, best first, ties to the
    /// lower index. The same CPU path as <see cref="RecommendAll(IReadOnlyList{long}?, int, bool, ItemFilter?, ComputeBackend?)"/>, so a user gets the same list either way.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="u"/> is not a dense user index, or <paramref name="n"/> &lt; 1.</exception>
    public (int Index, float Score)[] RecommendIndex(int u, int n, bool filterSeen = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(u);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(u, Users.Count);
        return TopOne(TopNProblems.Recommendations(this, filterSeen, null), PackedItems, u, n);
    }

    /// <summary>
    /// The <paramref name="n"/> best items of many users at once (every user when <paramref name="users"/> is
    /// null), scored p_u·q_i + b_i, best first, ties to the lower item index: the batch scoring path, on
    /// <paramref name="backend"/> when it is an ILGPU device. For more users than fit in memory at once,
    /// use a <see cref="BatchScorer"/> chunk by chunk.
    /// </summary>
    /// <param name="users">External user ids, in the order wanted (default null: all, in dense order).</param>
    /// <param name="n">Items per user, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filterSeen">Leave out each user's training items (default true).</param>
    /// <param name="filter">An allow- or deny-list of items (default none).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="ArgumentException">Users are given and the model's user ids are strings (see <see cref="RecommendAll(IReadOnlyList{string}, int, bool, ItemFilter?, ComputeBackend?)"/>).</exception>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists RecommendAll(IReadOnlyList<long>? users = null, int n = 10, bool filterSeen = true, ItemFilter? filter = null, ComputeBackend? backend = null)
    {
        using var scorer = BatchScorer.ForRecommendations(this, backend, filterSeen, filter);
        return users is null ? scorer.ScoreAll(n) : scorer.Score(users, n);
    }

    /// <summary><see cref="RecommendAll(IReadOnlyList{long}?, int, bool, ItemFilter?, ComputeBackend?)"/> for user ids as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <param name="users">External user ids as text, in the order wanted.</param>
    /// <param name="n">Items per user, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filterSeen">Leave out each user's training items (default true).</param>
    /// <param name="filter">An allow- or deny-list of items (default none).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists RecommendAll(IReadOnlyList<string> users, int n = 10, bool filterSeen = true, ItemFilter? filter = null, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        using var scorer = BatchScorer.ForRecommendations(this, backend, filterSeen, filter);
        return scorer.Score(users, n);
    }

    /// <summary>The <paramref name="n"/> best items for each of <paramref name="users"/>, on the managed CPU (see <see cref="RecommendAll(IReadOnlyList{long}?, int, bool, ItemFilter?, ComputeBackend?)"/>).</summary>
    /// <param name="users">External user ids.</param>
    /// <param name="n">Items per user, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filterSeen">Leave out each user's training items (default true).</param>
    /// <exception cref="ArgumentException">The model's user ids are strings.</exception>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists Recommend(IReadOnlyList<long> users, int n = 10, bool filterSeen = true)
    {
        ArgumentNullException.ThrowIfNull(users);
        return RecommendAll(users, n, filterSeen);
    }

    /// <summary>The <paramref name="n"/> best items for each of <paramref name="users"/>, ids as text of either kind, on the managed CPU.</summary>
    /// <param name="users">External user ids as text.</param>
    /// <param name="n">Items per user, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filterSeen">Leave out each user's training items (default true).</param>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists Recommend(IReadOnlyList<string> users, int n = 10, bool filterSeen = true) => RecommendAll(users, n, filterSeen);

    /// <summary>Items most similar to external item <paramref name="item"/> by cosine of their factors, best first, the item itself left out.</summary>
    /// <exception cref="ArgumentException">The model's item ids are strings (see <see cref="SimilarItems(string, int)"/>).</exception>
    /// <exception cref="KeyNotFoundException">The item is unknown.</exception>
    public IReadOnlyList<ScoredItem> SimilarItems(long item, int n = 10)
    {
        IdKinds.RequireIntegers(Items, "item");
        return SimilarItemsIndex(Items.IndexOf(item, "item"), n);
    }

    /// <summary><see cref="SimilarItems(long, int)"/> for an item id as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <exception cref="KeyNotFoundException">The item is unknown.</exception>
    public IReadOnlyList<ScoredItem> SimilarItems(string item, int n = 10) => SimilarItemsIndex(IdKinds.Find(Items, item, "item"), n);

    /// <summary>Users most similar to external user <paramref name="user"/> by cosine of their factors, best first, the user left out.</summary>
    /// <exception cref="ArgumentException">The model's user ids are strings (see <see cref="SimilarUsers(string, int)"/>).</exception>
    /// <exception cref="KeyNotFoundException">The user is unknown.</exception>
    public IReadOnlyList<ScoredItem> SimilarUsers(long user, int n = 10)
    {
        IdKinds.RequireIntegers(Users, "user");
        return SimilarUsersIndex(Users.IndexOf(user, "user"), n);
    }

    /// <summary><see cref="SimilarUsers(long, int)"/> for a user id as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <exception cref="KeyNotFoundException">The user is unknown.</exception>
    public IReadOnlyList<ScoredItem> SimilarUsers(string user, int n = 10) => SimilarUsersIndex(IdKinds.Find(Users, user, "user"), n);

    private ScoredItem[] SimilarItemsIndex(int i, int n) => Scored(Items, TopOne(TopNProblems.SimilarItems(this, null), PackedNormalizedItems, i, n));

    private ScoredItem[] SimilarUsersIndex(int u, int n) => Scored(Users, TopOne(TopNProblems.SimilarUsers(this), PackedNormalizedUsers, u, n));

    /// <summary>
    /// The <paramref name="n"/> most similar items of each of <paramref name="items"/> by cosine (normalised
    /// factors computed once and kept), best first, each item leaving itself out.
    /// </summary>
    /// <param name="items">External item ids.</param>
    /// <param name="n">Items per list, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filter">An allow- or deny-list of the items that may be returned (default none).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="ArgumentException">The model's item ids are strings.</exception>
    /// <exception cref="KeyNotFoundException">An item is unknown.</exception>
    public RankedLists SimilarItems(IReadOnlyList<long> items, int n = 10, ItemFilter? filter = null, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var scorer = BatchScorer.ForSimilarItems(this, backend, filter);
        return scorer.Score(items, n);
    }

    /// <summary><see cref="SimilarItems(IReadOnlyList{long}, int, ItemFilter?, ComputeBackend?)"/> for item ids as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <param name="items">External item ids as text.</param>
    /// <param name="n">Items per list, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="filter">An allow- or deny-list of the items that may be returned (default none).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="KeyNotFoundException">An item is unknown.</exception>
    public RankedLists SimilarItems(IReadOnlyList<string> items, int n = 10, ItemFilter? filter = null, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var scorer = BatchScorer.ForSimilarItems(this, backend, filter);
        return scorer.Score(items, n);
    }

    /// <summary>The <paramref name="n"/> most similar users of each of <paramref name="users"/> by cosine, best first, each user leaving itself out.</summary>
    /// <param name="users">External user ids.</param>
    /// <param name="n">Users per list, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="ArgumentException">The model's user ids are strings.</exception>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists SimilarUsers(IReadOnlyList<long> users, int n = 10, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        using var scorer = BatchScorer.ForSimilarUsers(this, backend);
        return scorer.Score(users, n);
    }

    /// <summary><see cref="SimilarUsers(IReadOnlyList{long}, int, ComputeBackend?)"/> for user ids as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <param name="users">External user ids as text.</param>
    /// <param name="n">Users per list, 1..<see cref="BatchScorer.MaxN"/> (default 10).</param>
    /// <param name="backend">Where to run (default null: the managed CPU, every core).</param>
    /// <exception cref="KeyNotFoundException">A user is unknown.</exception>
    public RankedLists SimilarUsers(IReadOnlyList<string> users, int n = 10, ComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        using var scorer = BatchScorer.ForSimilarUsers(this, backend);
        return scorer.Score(users, n);
    }

    /// <summary>
    /// Computes factors for a new or changed user from their interactions, without retraining: the
    /// regularised least-squares fit against the fixed item factors (see <see cref="LeastSquaresFoldIn"/>). For
    /// <see cref="ModelKind.Als"/> models it is the exact confidence-weighted solution with the model's own
    /// α, λ and confidence scaling (<paramref name="regularization"/> is not used), the same system training
    /// solves for each user. Unknown items are ignored.
    /// </summary>
    /// <param name="interactions">(external item id, rating, count or 1 for a positive) pairs; ALS needs values &gt; 0 and sums repeated items.</param>
    /// <param name="regularization">λ of the fit for the non-ALS models, &gt; 0 (default 0.1).</param>
    /// <exception cref="ArgumentException">The model's item ids are strings (see <see cref="RecalculateUser(IEnumerable{ValueTuple{string, float}}, float)"/>).</exception>
    public UserVector RecalculateUser(IEnumerable<(long Item, float Value)> interactions, float regularization = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(regularization);
        IdKinds.RequireIntegers(Items, "item");
        var rows = new List<(int, float)>();
        foreach (var (item, value) in interactions)
        {
            if (Items.TryGetIndex(item, out int i))
            {
                rows.Add((i, value));
            }
        }
        return FoldIn.Solve(this, rows, regularization);
    }

    /// <summary><see cref="RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/> for item ids as text, of either kind (see <see cref="IdMap.TryFind"/>); unknown items are ignored.</summary>
    /// <param name="interactions">(external item id as text, rating, count or 1 for a positive) pairs.</param>
    /// <param name="regularization">λ of the fit for the non-ALS models, &gt; 0 (default 0.1).</param>
    public UserVector RecalculateUser(IEnumerable<(string Item, float Value)> interactions, float regularization = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(regularization);
        var rows = new List<(int, float)>();
        foreach (var (item, value) in interactions)
        {
            if (Items.TryFind(item ?? throw new ArgumentException("An item id of the interactions is null.", nameof(interactions)), out int i))
            {
                rows.Add((i, value));
            }
        }
        return FoldIn.Solve(this, rows, regularization);
    }

    /// <summary>
    /// Why the model scores <paramref name="item"/> for <paramref name="user"/>: the <paramref name="top"/> of the
    /// user's training items that weigh most. For ALS the weights are the score taken apart (exact: they sum to
    /// p_u·q_i over all the user's items); for the other models they are the cosine similarities of the user's items
    /// to <paramref name="item"/>, labelled not exact (<see cref="Explanation.Exact"/>).
    /// </summary>
    /// <param name="user">External user id.</param>
    /// <param name="item">External item id.</param>
    /// <param name="top">Reasons wanted, ≥ 1 (default 3).</param>
    /// <exception cref="ArgumentException">The model's user or item ids are strings (see <see cref="Explain(string, string, int)"/>).</exception>
    /// <exception cref="KeyNotFoundException">The user or item is unknown.</exception>
    public Explanation Explain(long user, long item, int top = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        IdKinds.RequireIntegers(Users, "user");
        IdKinds.RequireIntegers(Items, "item");
        return ExplainIndex(Users.IndexOf(user, "user"), Items.IndexOf(item, "item"), top);
    }

    /// <summary><see cref="Explain(long, long, int)"/> for ids as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <param name="user">External user id as text.</param>
    /// <param name="item">External item id as text.</param>
    /// <param name="top">Reasons wanted, ≥ 1 (default 3).</param>
    /// <exception cref="KeyNotFoundException">The user or item is unknown.</exception>
    public Explanation Explain(string user, string item, int top = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return ExplainIndex(IdKinds.Find(Users, user, "user"), IdKinds.Find(Items, item, "item"), top);
    }

    private Explanation ExplainIndex(int u, int i, int top) =>
        FoldIn.Explain(this, SeenItems.AsSpan(SeenPtr[u], SeenPtr[u + 1] - SeenPtr[u]).ToArray(), i, top);

    /// <summary>
    /// <see cref="Explain(long, long, int)"/> for a folded-in user (<see cref="RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/>): the weights of the items
    /// the user was folded in from.
    /// </summary>
    /// <exception cref="ArgumentException">The model's item ids are strings.</exception>
    /// <exception cref="KeyNotFoundException">The item is unknown.</exception>
    public Explanation Explain(UserVector user, long item, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        IdKinds.RequireIntegers(Items, "item");
        return FoldIn.Explain(this, user.SeenItems, Items.IndexOf(item, "item"), top);
    }

    /// <summary><see cref="Explain(UserVector, long, int)"/> for an item id as text, of either kind (see <see cref="IdMap.TryFind"/>).</summary>
    /// <exception cref="KeyNotFoundException">The item is unknown.</exception>
    public Explanation Explain(UserVector user, string item, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return FoldIn.Explain(this, user.SeenItems, IdKinds.Find(Items, item, "item"), top);
    }

    /// <summary>
    /// <see cref="RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/> for many users at once, in parallel; the result's order follows
    /// <paramref name="users"/>.
    /// </summary>
    /// <param name="users">Each user's (external item id, value) pairs.</param>
    /// <param name="regularization">As for <see cref="RecalculateUser(IEnumerable{ValueTuple{long, float}}, float)"/>.</param>
    /// <exception cref="ArgumentException">The model's item ids are strings.</exception>
    public IReadOnlyList<UserVector> RecalculateUsers(IReadOnlyList<IEnumerable<(long Item, float Value)>> users, float regularization = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(users);
        IdKinds.RequireIntegers(Items, "item");
        return RecalculateEach(users.Count, u => RecalculateUser(users[u] ?? throw new ArgumentNullException(nameof(users), $"User {u} of the batch is null."), regularization));
    }

    /// <summary><see cref="RecalculateUsers(IReadOnlyList{IEnumerable{ValueTuple{long, float}}}, float)"/> for item ids as text, of either kind.</summary>
    /// <param name="users">Each user's (external item id as text, value) pairs.</param>
    /// <param name="regularization">As for <see cref="RecalculateUser(IEnumerable{ValueTuple{string, float}}, float)"/>.</param>
    public IReadOnlyList<UserVector> RecalculateUsers(IReadOnlyList<IEnumerable<(string Item, float Value)>> users, float regularization = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(users);
        return RecalculateEach(users.Count, u => RecalculateUser(users[u] ?? throw new ArgumentNullException(nameof(users), $"User {u} of the batch is null."), regularization));
    }

    private UserVector[] RecalculateEach(int count, Func<int, UserVector> one)
    {
        var result = new UserVector[count];
        FoldIn.Prepare(this);
        Parallel.For(0, count, u => result[u] = one(u));
        return result;
    }

    /// <summary>The <paramref name="n"/> best items for a user the model does not hold (folded in, or described by features: <see cref="ColdStart"/>), the user's own items left out, best first.</summary>
    /// <exception cref="ArgumentException">The user's factor count differs from the model's.</exception>
    public IReadOnlyList<ScoredItem> Recommend(UserVector user, int n = 10)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Factors.Length != Factors)
        {
            throw new ArgumentException($"The user has {user.Factors.Length} factors; the model has {Factors}.", nameof(user));
        }
        return Scored(Items, TopOne(TopNProblems.Recommendations(this, user), PackedItems, 0, n));
    }

    /// <summary>Dense (index, score) pairs as entries of <paramref name="map"/>'s ids.</summary>
    internal static ScoredItem[] Scored(IdMap map, (int Index, float Score)[] dense) =>
        Array.ConvertAll(dense, x => ScoredItem.Of(map, x.Index, x.Score));

    /// <summary>A copy of the model whose arrays are its own, so that training that goes on cannot change it.</summary>
    internal FactorModel Copy() =>
        new(Kind, Users, Items, Factors, (float[])UserFactors.Clone(), (float[])ItemFactors.Clone(), (float[]?)UserBias?.Clone(), (float[]?)ItemBias?.Clone(), GlobalMean, SeenPtr, SeenItems, OptionsJson)
        {
            CompletedEpochs = CompletedEpochs,
            FoldIn = FoldIn,
            UserFeatures = UserFeatures,
            ItemFeatures = ItemFeatures,
        };

    /// <summary>The same model (arrays shared) with <paramref name="foldIn"/> as its fold-in rule.</summary>
    internal FactorModel WithFoldIn(UserFoldIn foldIn) =>
        new(Kind, Users, Items, Factors, UserFactors, ItemFactors, UserBias, ItemBias, GlobalMean, SeenPtr, SeenItems, OptionsJson)
        {
            CompletedEpochs = CompletedEpochs,
            Adagrad = Adagrad,
            DataFingerprint = DataFingerprint,
            FoldIn = foldIn,
            UserFeatures = UserFeatures,
            ItemFeatures = ItemFeatures,
        };

    /// <summary>Unit-length item factors (zero rows stay zero), computed once.</summary>
    internal float[] NormalizedItems => LazyInitializer.EnsureInitialized(ref _normalizedItems, () => Normalize(ItemFactors, Items.Count));

    /// <summary>Unit-length user factors (zero rows stay zero), computed once.</summary>
    internal float[] NormalizedUsers => LazyInitializer.EnsureInitialized(ref _normalizedUsers, () => Normalize(UserFactors, Users.Count));

    /// <summary>The item factors and biases packed for the CPU top-N path, computed once.</summary>
    internal PackedCandidates PackedItems => LazyInitializer.EnsureInitialized(ref _packedItems, () => PackedCandidates.Create(ItemFactors, Items.Count, Factors, ItemBias, null, PackedCandidates.RootMeanSquareNorm(UserFactors, Users.Count, Factors)));

    /// <summary>The normalised item factors packed for the CPU top-N path, computed once.</summary>
    internal PackedCandidates PackedNormalizedItems => LazyInitializer.EnsureInitialized(ref _packedNormalizedItems, () => PackedCandidates.Create(NormalizedItems, Items.Count, Factors, null, null, 1f));

    /// <summary>The normalised user factors packed for the CPU top-N path, computed once.</summary>
    internal PackedCandidates PackedNormalizedUsers => LazyInitializer.EnsureInitialized(ref _packedNormalizedUsers, () => PackedCandidates.Create(NormalizedUsers, Users.Count, Factors, null, null, 1f));

    /// <summary>One query row through the CPU top-N path on the calling thread.</summary>
    internal static (int Index, float Score)[] TopOne(TopNProblem problem, PackedCandidates packed, int row, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var result = new TopNBuffer(1, Math.Min(n, Math.Max(1, packed.Count)));
        new CpuTopNEngine(problem, packed, 1).Run(new[] { row }, result);
        return result.Row(0);
    }

    private float[] Normalize(float[] factors, int rows)
    {
        var result = new float[factors.Length];
        Parallel.For(0, rows, r =>
        {
            var src = factors.AsSpan(r * Factors, Factors);
            float norm = TensorPrimitives.Norm(src);
            if (norm > 0)
            {
                TensorPrimitives.Divide(src, norm, result.AsSpan(r * Factors, Factors));
            }
        });
        return result;
    }

    private FeatureEmbeddings? SameFactors(FeatureEmbeddings? features, string side)
    {
        if (features is not null && features.Factors != Factors)
        {
            throw new ArgumentException($"The {side} feature embeddings have {features.Factors} factors; the model has {Factors}.", side == "user" ? nameof(UserFeatures) : nameof(ItemFeatures));
        }
        return features;
    }

    private static void Check(bool ok, string what, long actual, long expected, string? hint = null)
    {
        if (!ok)
        {
            throw new ArgumentException($"The {what} hold {actual} values; {expected} were expected{(hint is null || actual > expected ? "" : $" ({hint})")}.");
        }
    }
}
