using GpuMF.Als;
using GpuMF.Data;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Updates;

/// <summary>Explanations: ALS's weights are its score taken apart; the other models' are labelled similarities.</summary>
public sealed class ExplainTests
{
    [Fact]
    public void AlsWeightsSumToTheScoreOfTheExactlySolvedUser()
    {
        var data = InteractionMatrix.Build(RatingFileReader.Read(TestData.Split("ml100k_implicit_train.tsv")).Positives(0f));
        var model = new AlsTrainer(AlsOptions.Defaults with { Factors = 16, Iterations = 5, Solver = AlsSolver.Cholesky }).Fit(data);
        foreach (long user in new long[] { 1, 42, 500 })
        {
            int u = model.Users.IndexOf(user);
            int seen = model.SeenPtr[u + 1] - model.SeenPtr[u];
            foreach (var recommended in model.Recommend(user, 3))
            {
                var all = model.Explain(user, recommended.Id, top: seen);
                Assert.True(all.Exact);
                Assert.Equal(seen, all.Reasons.Count);
                double sum = all.Reasons.Sum(r => (double)r.Score);
                double score = model.Score(u, model.Items.IndexOf(recommended.Id));
                Assert.True(Math.Abs(sum - score) <= 1e-3 * Math.Max(1, Math.Abs(score)), $"user {user}, item {recommended.Id}: weights sum to {sum}, score {score}");
                var top = model.Explain(user, recommended.Id);
                Assert.Equal(3, top.Reasons.Count);
                Assert.True(top.Reasons[0].Score >= top.Reasons[1].Score && top.Reasons[1].Score >= top.Reasons[2].Score);
                Assert.Equal(all.Reasons.Take(3), top.Reasons);
            }
        }
    }

    [Fact]
    public void AFoldedInAlsUserIsExplainedByTheItemsItWasFoldedInFrom()
    {
        var data = InteractionMatrix.Build(RatingFileReader.Read(TestData.Split("ml100k_implicit_train.tsv")).Positives(0f));
        var model = new AlsTrainer(AlsOptions.Defaults with { Factors = 16, Iterations = 5, Solver = AlsSolver.Cholesky }).Fit(data);
        long[] liked = [50, 181, 172, 1];
        var user = model.RecalculateUser(liked.Select(i => (i, 1f)));
        var item = model.Recommend(user, 1)[0].Id;
        var why = model.Explain(user, item, top: liked.Length);
        Assert.True(why.Exact);
        Assert.Equal(liked.Order(), why.Reasons.Select(r => r.Id).Order());
        double score = System.Numerics.Tensors.TensorPrimitives.Dot(user.Factors, model.ItemRow(model.Items.IndexOf(item)));
        Assert.Equal(score, why.Reasons.Sum(r => (double)r.Score), 3);
    }

    [Fact]
    public void OtherModelsExplainBySimilarityOfTheUsersOwnItems()
    {
        var data = InteractionMatrix.Build(RatingFileReader.Read(TestData.Split("ml100k_implicit_train.tsv")).Positives(0f));
        var model = new BprTrainer(BprOptions.Defaults with { Factors = 16, Epochs = 5 }).Fit(data);
        int u = model.Users.IndexOf(42);
        var own = model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]).ToArray().Select(i => model.Items[i]).ToHashSet();
        var item = model.Recommend(42, 1)[0].Id;
        var explanation = model.Explain(42, item, top: 5);
        Assert.False(explanation.Exact);
        Assert.Equal(5, explanation.Reasons.Count);
        Assert.All(explanation.Reasons, r => Assert.Contains(r.Id, own));
        Assert.All(explanation.Reasons, r => Assert.InRange(r.Score, -1.0001f, 1.0001f));
        Assert.Throws<KeyNotFoundException>(() => model.Explain(42, -12345));
    }
}
