using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Models;

/// <summary>Cold-start queries on the hand-made hybrid model of <see cref="HybridModels"/>, every answer computed by hand.</summary>
public sealed class ColdStartTests
{
    private const string Age = "age=25-34";
    private const string Gender = "gender=F";
    private const string Animation = "genre=Animation";
    private const string Keyword = "keyword=zoë,space";

    [Fact]
    public void ANewUserIsTheWeightedSumOfTheirFeatures()
    {
        // Scaled to sum 1: ¼·(2, 0) + ¾·(0, 4).
        var scaled = HybridModels.Tiny().UserFromFeatures([(Age, 1f), (Gender, 3f)]);
        Assert.Equal([0.5f, 3f], scaled.Factors);
        Assert.Equal(0f, scaled.Bias);
        Assert.Empty(scaled.SeenItems);

        // Unscaled: 1·(2, 0) + 3·(0, 4).
        var raw = HybridModels.Tiny(userNormalized: false).UserFromFeatures([(Age, 1f), (Gender, 3f)]);
        Assert.Equal([2f, 12f], raw.Factors);
    }

    [Fact]
    public void ANewUserIsRecommendedForByTheExistingPath()
    {
        var model = HybridModels.Tiny();
        var user = model.UserFromFeatures([(Age, 1f), (Gender, 3f)]);
        // p = (0.5, 3): i1 0.5 + 0.1, i2 3 + 0.2, i3 -0.5 + 0, i4 0.25 + 1.5 - 0.1; nothing is seen.
        var top = model.Recommend(user, 4);
        Assert.Equal(["i2", "i4", "i1", "i3"], top.Select(r => r.Name));
        Assert.Equal([3.2f, 1.65f, 0.6f, -0.5f], top.Select(r => r.Score), new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void ANewItemHasTheWeightedSumOfItsFeaturesAndTheirBiases()
    {
        // Scaled: ½·(3, 0) + ½·(-1, 1), bias ½·0.5 + ½·1.
        var scaled = HybridModels.Tiny().ItemFromFeatures([(Animation, 1f), (Keyword, 1f)]);
        Assert.Equal([1f, 0.5f], scaled.Factors);
        Assert.Equal(0.75f, scaled.Bias, 6);
        Assert.Empty(scaled.Users);

        var raw = HybridModels.Tiny(itemNormalized: false).ItemFromFeatures([(Animation, 1f), (Keyword, 1f)]);
        Assert.Equal([2f, 1f], raw.Factors);
        Assert.Equal(1.5f, raw.Bias, 6);

        // A weight of 0 counts for nothing, and scaled weights need not sum to 1 as given.
        var zero = HybridModels.Tiny().ItemFromFeatures([(Animation, 4f), ("genre=Children's", 0f)]);
        Assert.Equal([3f, 0f], zero.Factors);
        Assert.Equal(0.5f, zero.Bias, 6);
    }

    [Fact]
    public void ANewItemsSimilarItemsAreRankedByCosine()
    {
        var model = HybridModels.Tiny();
        var item = model.ItemFromFeatures([(Animation, 1f), (Keyword, 1f)]);
        // q = (1, 0.5), |q| = √1.25: i4 0.75 / (|q|·√0.5), i1 1 / |q|, i2 0.5 / |q|, i3 -1 / |q|.
        float norm = MathF.Sqrt(1.25f);
        var similar = model.SimilarItems(item, 10);
        Assert.Equal(["i4", "i1", "i2", "i3"], similar.Select(r => r.Name));
        Assert.Equal([0.75f / (norm * MathF.Sqrt(0.5f)), 1f / norm, 0.5f / norm, -1f / norm], similar.Select(r => r.Score), new ToleranceComparer(1e-5f));
        Assert.Equal(["i4", "i1"], model.SimilarItems(item, 2).Select(r => r.Name));
    }

    [Fact]
    public void ANewItemIsScoredForEveryUserAndItsTopUsersFollowTheScores()
    {
        var model = HybridModels.Tiny();
        var item = model.ItemFromFeatures([(Animation, 1f), (Keyword, 1f)]);
        // q = (1, 0.5), b = 0.75: ann 1 + b, bob 0.5 + b, cy 1.5 + b.
        var scores = model.ScoreUsers(item);
        Assert.Equal([1.75f, 1.25f, 2.25f], scores, new ToleranceComparer(1e-6f));
        var top = model.TopUsers(item, 2);
        Assert.Equal(["cy", "ann"], top.Select(r => r.Name));
        Assert.Equal([scores[2], scores[0]], top.Select(r => r.Score));
        Assert.Equal(3, model.TopUsers(item, 10).Count);
    }

    [Fact]
    public void TopUsersCarryIntegerIdsForAModelOfIntegerIdsAndLeaveOutTheItemsOwnUsers()
    {
        var model = HybridModels.Tiny(ids: IdKind.Numeric);
        var item = model.ItemFromFeatures([(Animation, 1f), (Keyword, 1f)]);
        Assert.Equal([3L, 1L, 2L], model.TopUsers(item, 3).Select(r => r.Id));
        // Folded in from user 3 (dense 2): the other two only.
        var folded = item with { Users = [2] };
        Assert.Equal([1L, 2L], model.TopUsers(folded, 3).Select(r => r.Id));
        Assert.Contains("user index 7", Assert.Throws<ArgumentException>(() => model.TopUsers(item with { Users = [7] }, 3)).Message);
    }

    [Fact]
    public void TiesGoToTheLowerIndex()
    {
        var model = HybridModels.Tiny(ids: IdKind.Numeric);
        // q = (0, 0), b = 0: every user scores 0.
        var flat = new ItemVector([0f, 0f], 0f, []);
        Assert.Equal([1L, 2L], model.TopUsers(flat, 2).Select(r => r.Id));
        Assert.Equal([101L, 102L], model.SimilarItems(flat, 2).Select(r => r.Id));
    }

    [Fact]
    public void AModelWithoutFeaturesSaysHowToTrainOne()
    {
        var users = Assert.Throws<ArgumentException>(() => HybridModels.Tiny(userFeatures: false).UserFromFeatures([(Age, 1f)]));
        Assert.Contains("trained without user features", users.Message);
        Assert.Contains("--user-features", users.Message);
        var items = Assert.Throws<ArgumentException>(() => TestModels.Random(3, 4, 2, seed: 1).ItemFromFeatures([(Animation, 1f)]));
        Assert.Contains("trained without item features", items.Message);
        Assert.Contains("--item-features", items.Message);
    }

    [Fact]
    public void AnUnknownFeatureIsNamedWithSomeTheModelKnows()
    {
        var model = HybridModels.Tiny();
        var e = Assert.Throws<ArgumentException>(() => model.ItemFromFeatures([(Animation, 1f), ("genre=Comedy", 1f)]));
        Assert.Contains("'genre=Comedy'", e.Message);
        Assert.Contains("knows 3 item features", e.Message);
        // Those of the same attribute are listed first.
        Assert.Contains("'genre=Animation', 'genre=Children's', …", e.Message);
        Assert.DoesNotContain("keyword", e.Message);

        var other = Assert.Throws<ArgumentException>(() => model.UserFromFeatures([("zip=10001", 1f)]));
        Assert.Contains("'zip=10001'", other.Message);
        Assert.Contains("'age=25-34', 'gender=F', 'occupation=programmer'.", other.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(float.PositiveInfinity)]
    public void ABadWeightIsRefusedNamingTheFeature(float weight)
    {
        var e = Assert.Throws<ArgumentException>(() => HybridModels.Tiny().UserFromFeatures([(Age, 1f), (Gender, weight)]));
        Assert.Contains($"'{Gender}' has the weight", e.Message);
        Assert.Contains("finite and ≥ 0", e.Message);
    }

    [Fact]
    public void EmptyZeroAndRepeatedDescriptionsAreRefused()
    {
        var model = HybridModels.Tiny(userNormalized: false);
        Assert.Contains("description is empty", Assert.Throws<ArgumentException>(() => model.UserFromFeatures([])).Message);
        Assert.Contains("no feature of positive weight", Assert.Throws<ArgumentException>(() => model.UserFromFeatures([(Age, 0f)])).Message);
        Assert.Contains($"names the feature '{Age}' twice", Assert.Throws<ArgumentException>(() => model.UserFromFeatures([(Age, 1f), (Age, 1f)])).Message);
        Assert.Contains("overflows", Assert.Throws<ArgumentException>(() => model.UserFromFeatures([(Gender, 1e38f)])).Message);
    }

    [Fact]
    public void AVectorOfTheWrongLengthIsRefused()
    {
        var model = HybridModels.Tiny();
        var wrong = new ItemVector([1f, 2f, 3f], 0f, []);
        Assert.Contains("3 factors; the model has 2", Assert.Throws<ArgumentException>(() => model.SimilarItems(wrong)).Message);
        Assert.Throws<ArgumentException>(() => model.ScoreUsers(wrong));
        Assert.Throws<ArgumentException>(() => model.TopUsers(wrong));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.TopUsers(model.ItemFromFeatures([(Animation, 1f)]), 0));
    }

    [Fact]
    public void EmbeddingsOfAnotherFactorCountAreRefusedByTheModel()
    {
        var e = Assert.Throws<ArgumentException>(() => new FactorModel(ModelKind.Bpr, TestModels.Ids(1), TestModels.Ids(1), 2, [1f, 0f], [1f, 0f], null, null, 0f, [0, 0], [], "{}")
        {
            ItemFeatures = new FeatureEmbeddings(new IdMap(["a"]), 3, [1f, 2f, 3f], null, true),
        });
        Assert.Contains("item feature embeddings have 3 factors; the model has 2", e.Message);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
