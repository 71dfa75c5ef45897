using GpuMF.Data;
using GpuMF.Models;
using Xunit.Abstractions;

namespace GpuMF.Tests.Updates;

/// <summary>
/// Updating and folding in by each model's own rule, judged on ML-100K's fixed split: a model trained without a
/// tenth of the users and then updated with their training rows ranks (or rates) their test items nearly as well
/// as a model trained on everything; a training user folded in from their training items ranks their test items
/// nearly as well as their trained row.
/// </summary>
public sealed class UpdateQualityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() => new() { "svd", "als", "bpr", "warp" };

    [Theory]
    [MemberData(nameof(Models))]
    public void AnUpdatedModelServesTheNewUsersNearlyAsWellAsAFullRetrain(string model)
    {
        var train = Ml100kModels.Read(model, "train");
        var test = Ml100kModels.Read(model, "test");
        var (old, added) = SplitByUser(train, u => u % 10 == 0);
        var full = Ml100kModels.Fit(model, InteractionMatrix.Build(train));
        var first = Ml100kModels.Fit(model, InteractionMatrix.Build(old));
        var updated = first.Update(added);
        Assert.Equal(full.Users.Count, updated.Users.Count);
        var (_, newTest) = SplitByUser(test, u => u % 10 == 0);
        double fullScore = Score(model, full, newTest);
        double updateScore = Score(model, updated, newTest);
        output.WriteLine($"{model}: full retrain {fullScore:F4}, update {updateScore:F4}");
        if (model == "svd")
        {
            Assert.InRange(updateScore - fullScore, -1.0, 0.015);
        }
        else
        {
            Assert.True(updateScore >= 0.93 * fullScore, $"update P@10 {updateScore:F4}, full retrain {fullScore:F4}");
        }
        // An old user the new rows do not touch keeps their row: no model replays positives for new users of trained items.
        Assert.Equal(first.UserRow(0).ToArray(), updated.UserRow(0).ToArray());
    }

    [Theory]
    [InlineData("als", 0.005)]
    [InlineData("bpr", 0.02)]
    [InlineData("warp", 0.06)]
    public void FoldingInATrainingUserRanksTheirTestItemsNearlyAsWellAsTheTrainedRow(string model, double slack)
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read(model, "train"));
        var test = Ml100kModels.Read(model, "test");
        var fitted = Ml100kModels.Fit(model, train);
        double trained = 0, folded = 0;
        int users = 0;
        foreach (var (user, items) in ByUser(test).Take(300))
        {
            int u = fitted.Users.IndexOf(user);
            var history = Row(train, u).Select(n => (train.Items[train.UserItems[n]], 1f)).ToList();
            trained += fitted.Recommend(user, 10).Count(r => items.Contains(r.Id)) / 10.0;
            folded += fitted.Recommend(fitted.RecalculateUser(history), 10).Count(r => items.Contains(r.Id)) / 10.0;
            users++;
        }
        trained /= users;
        folded /= users;
        output.WriteLine($"{model}: P@10 trained rows {trained:F4}, folded in {folded:F4} over {users} users");
        Assert.True(folded >= trained - slack, $"folded-in P@10 {folded:F4}, trained rows {trained:F4}");
        Assert.True(folded > 0.1, $"folded-in P@10 {folded:F4}");
    }

    [Fact]
    public void FoldingInAnSvdUserPredictsTheirTestRatingsNearlyAsWellAsTheTrainedRow()
    {
        var train = InteractionMatrix.Build(Ml100kModels.Read("svd", "train"));
        var test = Ml100kModels.Read("svd", "test");
        var fitted = Ml100kModels.Fit("svd", train);
        double trainedSq = 0, foldedSq = 0;
        int count = 0;
        foreach (var group in Enumerable.Range(0, test.Count).GroupBy(n => test.Users[n]).Take(300))
        {
            int u = fitted.Users.IndexOf(group.Key);
            var vector = fitted.RecalculateUser(Row(train, u).Select(n => (train.Items[train.UserItems[n]], train.UserValues[n])).ToList());
            foreach (int n in group)
            {
                if (!fitted.Items.TryGetIndex(test.Items[n], out int i))
                {
                    continue;
                }
                double foldedPrediction = fitted.GlobalMean + vector.Bias + fitted.ItemBias![i] + vector.Factors.Zip(fitted.ItemRow(i).ToArray(), (a, b) => a * b).Sum();
                trainedSq += Math.Pow(fitted.Predict(test.Users[n], test.Items[n]) - test.Values[n], 2);
                foldedSq += Math.Pow(foldedPrediction - test.Values[n], 2);
                count++;
            }
        }
        double trained = Math.Sqrt(trainedSq / count), folded = Math.Sqrt(foldedSq / count);
        output.WriteLine($"svd: RMSE trained rows {trained:F4}, folded in {folded:F4} over {count} ratings");
        Assert.InRange(folded - trained, -1.0, 0.03);
    }

    /// <summary>SVD: RMSE on the test rows; the others: precision@10 of the test users' test items, seen items left out.</summary>
    private static double Score(string model, FactorModel m, RatingTable test)
    {
        if (model == "svd")
        {
            double sq = 0;
            for (int n = 0; n < test.Count; n++)
            {
                double e = m.Predict(test.Users[n], test.Items[n]) - test.Values[n];
                sq += e * e;
            }
            return Math.Sqrt(sq / test.Count);
        }
        var byUser = Enumerable.Range(0, test.Count).GroupBy(n => test.Users[n]).ToList();
        return byUser.Average(g => m.Recommend(g.Key, 10).Count(r => g.Any(n => test.Items[n] == r.Id)) / 10.0);
    }

    private static IEnumerable<int> Row(InteractionMatrix matrix, int u) => Enumerable.Range(matrix.UserPtr[u], matrix.UserPtr[u + 1] - matrix.UserPtr[u]);

    private static IEnumerable<(long User, HashSet<long> Items)> ByUser(RatingTable table) =>
        Enumerable.Range(0, table.Count).GroupBy(n => table.Users[n]).Select(g => (g.Key, g.Select(n => table.Items[n]).ToHashSet()));

    private static (RatingTable Others, RatingTable Picked) SplitByUser(RatingTable table, Func<long, bool> pick)
    {
        var picked = new RatingTable();
        var rest = new RatingTable();
        for (int n = 0; n < table.Count; n++)
        {
            (pick(table.Users[n]) ? picked : rest).Add(table.Users[n], table.Items[n], table.Values[n]);
        }
        return (rest, picked);
    }
}
