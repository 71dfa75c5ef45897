using GpuMF.Als;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Tests.Scoring;
using GpuMF.TopN;

namespace GpuMF.Tests.Models;

/// <summary>What a model of string ids refuses and what it keeps: integer calls name the kind, updates keep the strings, and nothing is made up.</summary>
public sealed class StringIdModelTests
{
    /// <summary>A random model whose ids are "u" or "m" and the integer ids of <see cref="RandomModels.Create"/>.</summary>
    private static FactorModel Named(FactorModel m, ModelKind? kind = null) => new(
        kind ?? m.Kind,
        new IdMap(m.Users.Ids.Select(id => $"u{id}")),
        new IdMap(m.Items.Ids.Select(id => $"m{id}")),
        m.Factors, m.UserFactors, m.ItemFactors, kind == ModelKind.Als ? null : m.UserBias, kind == ModelKind.Als ? null : m.ItemBias, m.GlobalMean, m.SeenPtr, m.SeenItems, kind == ModelKind.Als ? (AlsOptions.Defaults with { Factors = m.Factors }).ToJson() : m.OptionsJson);

    [Fact]
    public void IntegerCallsOnStringIdsNameTheKindInsteadOfFindingNothing()
    {
        var model = Named(RandomModels.Create(6, 9, 3, seed: 3));
        foreach (var call in new Action[]
        {
            () => model.Recommend(1000L),
            () => model.Predict(1000, 5000),
            () => model.SimilarItems(5000L),
            () => model.SimilarUsers(1000L),
            () => model.RecommendAll([1000L]),
            () => model.Explain(1000, 5000),
            () => model.RecalculateUser([(5000L, 1f)]),
            () => model.RecommendAll(n: 2, filter: ItemFilter.Allow([5000L])),
        })
        {
            var e = Assert.Throws<ArgumentException>(call);
            Assert.Contains("ids are strings, and integer ids were given", e.Message);
        }
        var entry = model.Recommend("u1000", 1)[0];
        Assert.Equal(IdKind.Text, entry.Kind);
        Assert.StartsWith("m", entry.Name, StringComparison.Ordinal);
        Assert.Contains("is a string, not an integer", Assert.Throws<InvalidOperationException>(() => entry.Id).Message);
        var lists = model.RecommendAll(n: 2);
        Assert.Contains("hold string ids", Assert.Throws<InvalidOperationException>(() => lists.Ids(0).Length).Message);
        Assert.Equal("u1000", lists.QueryText(0));
        Assert.Contains("Unknown item 'nope' (the item ids are strings)", Assert.Throws<KeyNotFoundException>(() => model.SimilarItems("nope")).Message);
    }

    [Fact]
    public void IntegerIdsAnswerToTheirTextToo()
    {
        var model = RandomModels.Create(6, 9, 3, seed: 4);
        Assert.Equal(model.Recommend(1002L, 4), model.Recommend("1002", 4));
        Assert.Equal(model.SimilarItems(5003L, 3), model.SimilarItems("5003", 3));
        Assert.Equal(model.Predict(1001, 5004), model.Predict("1001", "5004"));
        Assert.Equal(1002L, model.Recommend("1002", 1).Select(_ => model.RecommendAll(["1002"], 1).QueryId(0)).Single());
        Assert.Equal(model.RecommendAll(n: 3, filter: ItemFilter.Deny([5000L, 5001L]))[4], model.RecommendAll(n: 3, filter: ItemFilter.Deny(["5000", "5001"]))[4]);
        Assert.Contains("Unknown user 'x' (the user ids are integers)", Assert.Throws<KeyNotFoundException>(() => model.Recommend("x")).Message);
        using var scorer = BatchScorer.ForRecommendations(model);
        Assert.Equal(model.RecommendAll([1004L, 1000L], 3)[1], scorer.ScoreIndices([4, 0], 3)[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.ScoreIndices([6], 3));
    }

    [Fact]
    public void AnUpdateKeepsStringIdsAndRefusesTheOtherKind()
    {
        var model = Named(RandomModels.Create(6, 9, 3, seed: 5), ModelKind.Als);
        var table = new RatingTable(IdKind.Text, IdKind.Text);
        table.Add("u1000", "m5003", 2f);
        table.Add("newcomer", "m5001", 1f);
        table.Add("newcomer", "fresh item", 3f);
        var updated = model.Update(table);
        Assert.Equal(model.Users.Names.Append("newcomer"), updated.Users.Names);
        Assert.Equal(model.Items.Names.Append("fresh item"), updated.Items.Names);
        Assert.Same(model.Users.Names[0], updated.Users.Names[0]);
        Assert.DoesNotContain(updated.Recommend("newcomer", 9), r => r.Name is "m5001" or "fresh item");
        Assert.Equal(6, model.Users.Count);

        var integers = new RatingTable();
        integers.Add(1000, 5003, 2f);
        Assert.Contains("The update's user ids are integers, but the model's are strings", Assert.Throws<ArgumentException>(() => model.Update(integers)).Message);
        var integerModel = RandomModels.Create(6, 9, 3, seed: 5);
        Assert.Contains("The update's user ids are strings, but the model's are integers", Assert.Throws<ArgumentException>(() => integerModel.Update(table)).Message);

        var partial = AlsTrainer.PartialFitUsers(model, table);
        Assert.Equal(model.Users.Names.Append("newcomer"), partial.Users.Names);
        Assert.Equal(model.Items.Names, partial.Items.Names);
    }

    [Fact]
    public void FingerprintsAndDuplicateErrorsUseTheStrings()
    {
        var a = new RatingTable(IdKind.Text, IdKind.Text);
        a.Add("ab", "c", 1f);
        var b = new RatingTable(IdKind.Text, IdKind.Text);
        b.Add("a", "bc", 1f);
        Assert.NotEqual(InteractionMatrix.Build(a).Fingerprint(), InteractionMatrix.Build(b).Fingerprint());
        Assert.Equal(InteractionMatrix.Build(a).Fingerprint(), InteractionMatrix.Build(a).Fingerprint());
        a.Add("ab", "c", 2f);
        Assert.Contains("(user ab, item c) occurs more than once", Assert.Throws<ArgumentException>(() => InteractionMatrix.Build(a)).Message);
    }
}
