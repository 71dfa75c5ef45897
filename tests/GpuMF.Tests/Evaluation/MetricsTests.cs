using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Evaluation;

public sealed class MetricsTests
{
    /// <summary>
    /// One factor, user factors 1, so item i scores its own factor: 0.9, 0.8, …, 0.4. User 0 has seen
    /// item 1 and holds out {0, 3, 5}; user 1 has seen nothing and holds out {5}.
    /// </summary>
    private static (FactorModel, InteractionMatrix) HandCase()
    {
        var users = TestModels.Ids(2);
        var items = TestModels.Ids(6, 100);
        var model = new FactorModel(ModelKind.Als, users, items, 1, [1f, 1f], [0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f], null, null, 0f, [0, 1, 1], [1], "{}");
        var test = InteractionMatrix.FromIndices(users, items, [0, 0, 0, 1], [0, 3, 5, 5], [1f, 1f, 1f, 1f]);
        return (model, test);
    }

    [Fact]
    public void RankingAmongCandidatesMatchesHandComputedValues()
    {
        var (model, test) = HandCase();
        // Candidates 5, 3, 1, 4 (scores 0.4, 0.6, 0.8, 0.5). User 0 (seen 1) ranks 3, 4, 5 and likes 3 and 5 of them
        // (its liked item 0 is no candidate): hits at ranks 1 and 3. User 1 ranks 1, 3, 4 and likes 5: no hit.
        var m = RankingMetrics.EvaluateAmong(model, test, [5, 3, 1, 4], k: 3);
        Assert.Equal(2, m.Users);
        Assert.Equal(2.0 / 3.0, m.Precision, 10);
        double idcg = 1 + 1 / Math.Log2(3);
        Assert.Equal(((1 + 1 / Math.Log2(4)) / idcg + 0) / 2.0, m.Ndcg, 10);
        // Exact AUC among candidates: user 0's likes 3 and 5 against item 4: 1 of 2 pairs; user 1's 5 against 1, 3, 4: 0.
        Assert.Equal((0.5 + 0.0) / 2.0, m.AucFull, 10);
    }

    [Fact]
    public void RankingAmongEveryItemIsTheFullEvaluation()
    {
        var (model, test) = HandCase();
        var all = RankingMetrics.Evaluate(model, test, k: 3);
        var among = RankingMetrics.EvaluateAmong(model, test, [0, 1, 2, 3, 4, 5], k: 3);
        Assert.Equal(6, among.Candidates);
        Assert.Equal(all, among with { Candidates = 0 });
    }

    [Fact]
    public void RankingAmongCandidatesRefusesBadCandidateLists()
    {
        var (model, test) = HandCase();
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => RankingMetrics.EvaluateAmong(model, test, [1, 1])).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => RankingMetrics.EvaluateAmong(model, test, [6])).Message);
        Assert.Contains("among the candidates", Assert.Throws<ArgumentException>(() => RankingMetrics.EvaluateAmong(model, test, [1, 2])).Message);
    }

    [Fact]
    public void RankingMetricsMatchHandComputedValues()
    {
        var (model, test) = HandCase();
        var m = RankingMetrics.Evaluate(model, test, k: 3);
        Assert.Equal(2, m.Users);
        // User 0 gets items 0, 2, 3 (item 1 is seen): hits at ranks 1 and 3. User 1 gets 0, 1, 2: no hit.
        Assert.Equal(2.0 / 4.0, m.Precision, 10);
        Assert.Equal((1.0 + 2.0 / 3.0) / 3.0 / 2.0, m.Map, 10);
        double idcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal((1.5 / idcg + 0) / 2.0, m.Ndcg, 10);
        // implicit's truncated AUC: user 0 (3 pos, 3 neg, 1 miss) 6/9; user 1 (1 pos, 5 neg, 3 misses) 1/5.
        Assert.Equal((6.0 / 9.0 + 1.0 / 5.0) / 2.0, m.Auc, 10);
        // Exact AUC against items neither seen nor held out: user 0 wins 3 of 6 pairs, user 1 none of 5.
        Assert.Equal((0.5 + 0.0) / 2.0, m.AucFull, 10);
    }

    [Fact]
    public void RatingMetricsMatchHandComputedValues()
    {
        var users = TestModels.Ids(1);
        var items = TestModels.Ids(2, 100);
        var model = new FactorModel(ModelKind.Svd, users, items, 1, [0f], [0f, 0f], [0f], [0f, 3f], 3f, [0, 0], [], "{}");
        var test = InteractionMatrix.FromIndices(users, items, [0, 0], [0, 1], [4f, 1f]);
        var m = RatingMetrics.Evaluate(model, test, 1f, 5f);
        // Predictions 3 and 6: errors 1 and −5; clipped to 5, the second error is −4.
        Assert.Equal(Math.Sqrt((1 + 25) / 2.0), m.Rmse, 6);
        Assert.Equal(3.0, m.Mae, 6);
        Assert.Equal(Math.Sqrt((1 + 16) / 2.0), m.ClippedRmse, 6);
        Assert.Equal(2, m.Count);
        Assert.Equal((1f, 5f), (m.ClipMin, m.ClipMax));
        // Half-star data: clipped to 0.5..2, the predictions 3 and 6 both become 2 (errors 2 and −1).
        Assert.Equal(Math.Sqrt((4 + 1) / 2.0), RatingMetrics.Evaluate(model, test, 0.5f, 2f).ClippedRmse, 6);
        // No range given: nothing is clipped, rather than a 1..5 the data may not have.
        var unclipped = RatingMetrics.Evaluate(model, test);
        Assert.Equal(unclipped.Rmse, unclipped.ClippedRmse, 10);
        Assert.Throws<ArgumentException>(() => RatingMetrics.Evaluate(model, test, 5f, 1f));
    }

    [Fact]
    public void ObservedRangeIsTheSmallestAndLargestValue()
    {
        var users = TestModels.Ids(2);
        var items = TestModels.Ids(3, 100);
        var ratings = InteractionMatrix.FromIndices(users, items, [0, 0, 1], [0, 2, 1], [2.5f, 0.5f, 4f]);
        Assert.Equal((0.5f, 4f), RatingMetrics.ObservedRange(ratings));
    }

    [Fact]
    public void TestMatrixOutsideTheModelIsRejected()
    {
        var (model, _) = HandCase();
        var wider = InteractionMatrix.FromIndices(TestModels.Ids(3), TestModels.Ids(6, 100), [2], [0], [1f]);
        Assert.Throws<ArgumentException>(() => RankingMetrics.Evaluate(model, wider));
    }
}
