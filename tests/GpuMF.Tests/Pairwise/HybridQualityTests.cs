using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Pairwise;
using Xunit.Abstractions;

namespace GpuMF.Tests.Pairwise;

/// <summary>
/// Hybrid BPR and WARP on the ML-100K implicit split (32 factors, CPU backend), with ML-100K's genres as item
/// features: as good as the plain model with identity + genres, cold items ranked from their genres alone, and
/// several threads as good as one. Bounds sit below what each reaches today (figures in the messages).
/// </summary>
public sealed class HybridQualityTests(ITestOutputHelper output)
{
    private static FactorModel Fit(string model, int threads, InteractionMatrix train, FeatureMatrix? items)
    {
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, threads);
        return model == "bpr"
            ? new BprTrainer(BprOptions.Defaults with { Factors = 32 }, cpu) { ItemFeatures = items }.Fit(train)
            : new WarpTrainer(WarpOptions.Defaults with { Factors = 32 }, cpu) { ItemFeatures = items }.Fit(train);
    }

    private static (InteractionMatrix Train, InteractionMatrix Test) Split()
    {
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(HybridData.Positives("train"), DuplicatePolicy.KeepLast, users, items);
        var test = InteractionMatrix.Build(HybridData.Positives("test"), DuplicatePolicy.KeepLast, users, items);
        return (InteractionMatrix.FromIndices(users, items, train.EntryUsers(), train.UserItems, train.UserValues), test);
    }

    /// <summary>
    /// Identity + genres rank about as well as the plain model. With every weight 1 (q_i = e_i + Σ e_genre) hybrid
    /// P@10 was 0.2895 (BPR) and 0.3048 (WARP) against plain 0.2786 and 0.2985; with each row's weights summing to 1
    /// 0.2200 and 0.2500: the item's own embedding then carries a third to a half of q_i, and the options tuned for
    /// plain models move it too little.
    /// </summary>
    [Theory]
    [InlineData("bpr", false, 0.01)]
    [InlineData("warp", false, 0.01)]
    [InlineData("bpr", true, 0.075)]
    [InlineData("warp", true, 0.07)]
    public void IdentityAndGenresRankAboutAsWellAsThePlainModel(string model, bool normalized, double bound)
    {
        var (train, test) = Split();
        double plain = RankingMetrics.Evaluate(Fit(model, 2, train, null), test).Precision;
        double hybrid = RankingMetrics.Evaluate(Fit(model, 2, train, HybridData.Genres(train.Items, train.ItemCount, identity: true, normalized)), test).Precision;
        output.WriteLine($"{model}: plain P@10 {plain:F4}, identity + genres {hybrid:F4} ({(normalized ? "normalized" : "weights 1")})");
        Assert.True(hybrid >= plain - bound, $"{model}: P@10 {hybrid:F4} with identity + genres ({(normalized ? "normalized" : "weights 1")}), {plain:F4} plain");
    }

    /// <summary>
    /// Items = genres only, a seeded fifth of the items (and every interaction with them) held out of training: each
    /// user's held-out items, scored from their genres' embeddings and biases, rank the ones the user has above the
    /// ones the user lacks far more often than chance: AUC 0.659 (BPR) and 0.662 (WARP) over 905 users and 282 cold items.
    /// </summary>
    [Theory]
    [InlineData("bpr", 0.63)]
    [InlineData("warp", 0.63)]
    public void ColdItemsRankFromTheirGenres(string model, double bound)
    {
        var all = HybridData.Positives("train");
        var extra = HybridData.Positives("test");
        var rng = new XorShiftRandom(2015, 1);
        var cold = new HashSet<long>();
        foreach (long item in all.Items.ToArray().Concat(extra.Items.ToArray()).Distinct().Order())
        {
            if (rng.NextFloat() < 0.2f)
            {
                cold.Add(item);
            }
        }
        var warm = new RatingTable();
        var held = new Dictionary<long, HashSet<long>>();
        foreach (var table in new[] { all, extra })
        {
            for (int n = 0; n < table.Count; n++)
            {
                if (cold.Contains(table.Items[n]))
                {
                    (held.TryGetValue(table.Users[n], out var set) ? set : held[table.Users[n]] = []).Add(table.Items[n]);
                }
                else
                {
                    warm.Add(table.Users[n], table.Items[n], 1f);
                }
            }
        }
        var train = InteractionMatrix.Build(warm, DuplicatePolicy.KeepLast);
        var trained = Fit(model, 2, train, HybridData.Genres(train.Items, train.ItemCount, identity: false));
        var features = trained.ItemFeatures!;
        var genres = HybridData.MovieGenres();
        int k = trained.Factors;
        var coldItems = cold.Order().ToArray();
        var vectors = new float[coldItems.Length * k];
        var biases = new float[coldItems.Length];
        for (int c = 0; c < coldItems.Length; c++)
        {
            var own = genres[coldItems[c]];
            foreach (int g in own)
            {
                for (int f = 0; f < k; f++)
                {
                    vectors[c * k + f] += features.Vectors[g * k + f] / own.Length;
                }
                biases[c] += features.Biases![g] / own.Length;
            }
        }
        double aucSum = 0;
        int scored = 0;
        foreach (var (user, positives) in held)
        {
            if (!train.Users.TryGetIndex(user, out int u) || positives.Count == coldItems.Length)
            {
                continue;
            }
            var p = trained.UserFactors.AsMemory(u * k, k);
            var scores = Enumerable.Range(0, coldItems.Length).Select(c => System.Numerics.Tensors.TensorPrimitives.Dot(p.Span, vectors.AsSpan(c * k, k)) + biases[c]).ToArray();
            var pos = Enumerable.Range(0, coldItems.Length).Where(c => positives.Contains(coldItems[c])).Select(c => scores[c]).ToArray();
            var neg = Enumerable.Range(0, coldItems.Length).Where(c => !positives.Contains(coldItems[c])).Select(c => scores[c]).ToArray();
            double right = pos.Sum(a => neg.Sum(b => a > b ? 1.0 : a == b ? 0.5 : 0.0));
            aucSum += right / ((double)pos.Length * neg.Length);
            scored++;
        }
        double auc = aucSum / scored;
        output.WriteLine($"{model}: cold-item AUC {auc:F4} over {scored} users, {coldItems.Length} cold items");
        Assert.True(auc >= bound, $"{model}: cold-item AUC {auc:F4} over {scored} users");
    }

    /// <summary>Hogwild with three threads reaches the precision@10 of one thread (identity + genres, weights 1): BPR 0.2866 against 0.2923, WARP 0.3073 against 0.3074.</summary>
    [Theory]
    [InlineData("bpr", 0.015)]
    [InlineData("warp", 0.015)]
    public void SeveralThreadsTrainAsWellAsOne(string model, double bound)
    {
        var (train, test) = Split();
        var items = HybridData.Genres(train.Items, train.ItemCount, identity: true, normalized: false);
        double one = RankingMetrics.Evaluate(Fit(model, 1, train, items), test).Precision;
        double three = RankingMetrics.Evaluate(Fit(model, 3, train, items), test).Precision;
        output.WriteLine($"{model}: P@10 {one:F4} with one thread, {three:F4} with three");
        Assert.True(Math.Abs(one - three) <= bound, $"{model}: P@10 {one:F4} with one thread, {three:F4} with three");
    }
}
