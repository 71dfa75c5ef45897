using System.Numerics.Tensors;
using GpuMF.Data;
using GpuMF.Models;
using Xunit.Abstractions;

namespace GpuMF.Tests.Updates;

/// <summary>
/// Folding items in by each model's own rule, judged on ML-100K's fixed split: a training item folded in from its
/// training users separates its test users from the users who never had it nearly as well as its trained row does.
/// </summary>
public sealed class ItemFoldInTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("als", 0.01)]
    [InlineData("bpr", 0.03)]
    [InlineData("warp", 0.05)]
    public void AFoldedInTrainingItemRanksItsTestUsersNearlyAsWellAsTheTrainedRow(string model, double slack)
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read(model, "train"));
        var test = Ml100kModels.Read(model, "test");
        var fitted = Ml100kModels.Fit(model, train);
        var testUsers = Enumerable.Range(0, test.Count)
            .Where(n => fitted.Items.TryGetIndex(test.Items[n], out _) && fitted.Users.TryGetIndex(test.Users[n], out _))
            .GroupBy(n => fitted.Items.IndexOf(test.Items[n]))
            .Where(g => g.Count() >= 5)
            .OrderByDescending(g => g.Count())
            .Take(120)
            .ToList();
        var batch = testUsers.Select(g => (IEnumerable<(long, float)>)Column(train, g.Key).Select(n => (train.Users[train.ItemUsers[n]], train.ItemValues[n])).ToList()).ToList();
        var vectors = fitted.RecalculateItems(batch);
        double trained = 0, folded = 0;
        for (int t = 0; t < testUsers.Count; t++)
        {
            int i = testUsers[t].Key;
            var positives = testUsers[t].Select(n => fitted.Users.IndexOf(test.Users[n])).ToHashSet();
            var trainUsers = Column(train, i).Select(n => train.ItemUsers[n]).ToHashSet();
            var candidates = Enumerable.Range(0, fitted.Users.Count).Where(u => !trainUsers.Contains(u)).ToArray();
            Assert.Equal(trainUsers.Order(), vectors[t].Users);
            trained += Auc(candidates, positives, u => fitted.Score(u, i));
            folded += Auc(candidates, positives, u => TensorPrimitives.Dot(fitted.UserRow(u), vectors[t].Factors) + vectors[t].Bias);
        }
        trained /= testUsers.Count;
        folded /= testUsers.Count;
        output.WriteLine($"{model}: AUC of test users, trained rows {trained:F6}, folded in {folded:F6} over {testUsers.Count} items");
        Assert.True(folded >= trained - slack, $"folded-in AUC {folded:F4}, trained rows {trained:F4}");
        Assert.True(folded > 0.75, $"folded-in AUC {folded:F4}");
    }

    [Fact]
    public void AFoldedInSvdItemPredictsItsTestRatingsNearlyAsWellAsTheTrainedRow()
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read("svd", "train"));
        var test = Ml100kModels.Read("svd", "test");
        var fitted = Ml100kModels.Fit("svd", train);
        double trainedSq = 0, foldedSq = 0;
        int count = 0;
        foreach (var group in Enumerable.Range(0, test.Count).Where(n => fitted.Items.TryGetIndex(test.Items[n], out _)).GroupBy(n => test.Items[n]).Take(300))
        {
            int i = fitted.Items.IndexOf(group.Key);
            var vector = fitted.RecalculateItem(Column(train, i).Select(n => (train.Users[train.ItemUsers[n]], train.ItemValues[n])).ToList());
            foreach (int n in group)
            {
                if (!fitted.Users.TryGetIndex(test.Users[n], out int u))
                {
                    continue;
                }
                double foldedPrediction = fitted.GlobalMean + fitted.UserBias![u] + vector.Bias + TensorPrimitives.Dot(fitted.UserRow(u), vector.Factors);
                trainedSq += Math.Pow(fitted.Predict(test.Users[n], test.Items[n]) - test.Values[n], 2);
                foldedSq += Math.Pow(foldedPrediction - test.Values[n], 2);
                count++;
            }
        }
        double trained = Math.Sqrt(trainedSq / count), folded = Math.Sqrt(foldedSq / count);
        output.WriteLine($"svd: RMSE trained rows {trained:F4}, folded in {folded:F4} over {count} ratings");
        Assert.InRange(folded - trained, -1.0, 0.03);
    }

    [Fact]
    public void AlsFoldsATrainingItemBackToItsTrainedRow()
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read("als", "train"));
        var fitted = Ml100kModels.Fit("als", train);
        foreach (int i in new[] { 0, 7, 50 })
        {
            var vector = fitted.RecalculateItem(Column(train, i).Select(n => (train.Users[train.ItemUsers[n]], 1f)).ToList());
            double cosine = TensorPrimitives.CosineSimilarity(vector.Factors, fitted.ItemRow(i).ToArray());
            output.WriteLine($"item index {i}: cosine to the trained row {cosine:F6}");
            Assert.True(cosine > 0.999, $"item {i}: cosine {cosine:F6}");
        }
    }

    [Fact]
    public void UnknownUsersAreIgnoredAndTheWrongIdKindIsRefused()
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read("als", "train"));
        var fitted = Ml100kModels.Fit("als", train);
        long known = train.Users[train.ItemUsers[0]];
        var withUnknown = fitted.RecalculateItem([(known, 1f), (long.MaxValue, 1f)]);
        var alone = fitted.RecalculateItem([(known, 1f)]);
        Assert.Equal(alone.Factors, withUnknown.Factors);
        Assert.Single(withUnknown.Users);
        var error = Assert.Throws<ArgumentException>(() => fitted.RecalculateItem([("u1", 1f)]));
        Assert.Contains("integers", error.Message);
    }

    private static double Auc(int[] candidates, HashSet<int> positives, Func<int, float> score)
    {
        var ranked = candidates.Select(u => (u, s: score(u))).OrderBy(x => x.s).ToArray();
        double rankSum = 0;
        long pos = 0;
        for (int r = 0; r < ranked.Length; r++)
        {
            if (positives.Contains(ranked[r].u))
            {
                rankSum += r;
                pos++;
            }
        }
        long neg = ranked.Length - pos;
        return (rankSum - pos * (pos - 1) / 2.0) / (pos * neg);
    }

    private static IEnumerable<int> Column(InteractionMatrix matrix, int i) => Enumerable.Range(matrix.ItemPtr[i], matrix.ItemPtr[i + 1] - matrix.ItemPtr[i]);
}
