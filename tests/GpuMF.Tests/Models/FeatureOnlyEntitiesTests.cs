using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Tests.Models;

/// <summary>Entities known only by their features, appended to the hand-made hybrid model of <see cref="HybridModels"/>.</summary>
public sealed class FeatureOnlyEntitiesTests
{
    private static readonly string[] ItemNames = HybridModels.ItemFeatureNames;
    private static readonly string[] UserNames = HybridModels.UserFeatureNames;

    [Fact]
    public void NewItemsAreAppendedWithTheVectorsTheirFeaturesCompose()
    {
        var model = HybridModels.Tiny();
        // "toon": Animation alone; "mix": Animation and the keyword, equally.
        var rows = HybridModels.Rows(ItemNames, normalized: true, [(0, 1f)], [(0, 0.5f), (2, 0.5f)]);
        var grown = model.WithFeatureOnlyItems(new IdMap(["toon", "mix"]), rows);

        Assert.Equal(["i1", "i2", "i3", "i4", "toon", "mix"], grown.Items.Names);
        Assert.Equal(model.ItemFactors, grown.ItemFactors.AsSpan(0, 8).ToArray());
        Assert.Equal([3f, 0f], grown.ItemRow(4).ToArray());
        var mix = model.ItemFromFeatures([("genre=Animation", 1f), ("keyword=zoë,space", 1f)]);
        Assert.Equal(mix.Factors, grown.ItemRow(5).ToArray());
        Assert.Equal([0.1f, 0.2f, 0f, -0.1f, 0.5f, mix.Bias], grown.ItemBias!);
        Assert.Same(model.Users, grown.Users);
        Assert.Same(model.ItemFeatures, grown.ItemFeatures);
        Assert.Same(model.UserFeatures, grown.UserFeatures);
        Assert.Equal(4, model.Items.Count);

        // ann (1, 0) saw i1: toon scores 3 + 0.5, above every other item.
        var top = grown.Recommend("ann", 2);
        Assert.Equal(["toon", "mix"], top.Select(r => r.Name));
        Assert.Equal(3.5f, top[0].Score, 5);
        // toon (3, 0) points where i1 (1, 0) does.
        Assert.Equal("toon", grown.SimilarItems("i1", 1)[0].Name);
        Assert.Equal("i1", grown.SimilarItems("toon", 1)[0].Name);
    }

    [Fact]
    public void UnscaledRowsAreScaledForAModelWhoseDescriptionsAre()
    {
        var model = HybridModels.Tiny();
        var rows = HybridModels.Rows(ItemNames, normalized: false, [(0, 2f), (2, 2f)]);
        var grown = model.WithFeatureOnlyItems(new IdMap(["mix"]), rows);
        Assert.Equal([1f, 0.5f], grown.ItemRow(4).ToArray());

        var raw = HybridModels.Tiny(itemNormalized: false).WithFeatureOnlyItems(new IdMap(["mix"]), rows);
        Assert.Equal([4f, 2f], raw.ItemRow(4).ToArray());
        Assert.Equal(3f, raw.ItemBias![4], 6);
    }

    [Fact]
    public void NewUsersAreAppendedWithNothingSeenAndGetRecommendations()
    {
        var model = HybridModels.Tiny(ids: IdKind.Numeric);
        var rows = HybridModels.Rows(UserNames, normalized: true, [(0, 1f), (1, 3f)]);
        var grown = model.WithFeatureOnlyUsers(new IdMap([42L]), rows);

        Assert.Equal([1L, 2L, 3L, 42L], grown.Users.Ids);
        Assert.Equal([0.5f, 3f], grown.UserRow(3).ToArray());
        Assert.Equal([0, 1, 1, 2, 2], grown.SeenPtr);
        Assert.Same(model.SeenItems, grown.SeenItems);
        Assert.Null(grown.UserBias);
        // Nothing filtered: all four items, as a cold-start user from the same features gets them.
        var top = grown.Recommend(42, 4);
        Assert.Equal([102L, 104L, 101L, 103L], top.Select(r => r.Id));
        var cold = model.Recommend(model.UserFromFeatures([("age=25-34", 1f), ("gender=F", 3f)]), 4);
        Assert.Equal(cold.Select(r => r.Id), top.Select(r => r.Id));
        Assert.Equal(cold.Select(r => r.Score), top.Select(r => r.Score));
        // The old users keep their seen items.
        Assert.DoesNotContain(101L, grown.Recommend(1, 4).Select(r => r.Id));
    }

    [Fact]
    public void NoIdsLeaveTheModelAsItIs()
    {
        var model = HybridModels.Tiny();
        Assert.Same(model, model.WithFeatureOnlyItems(new IdMap(), HybridModels.Rows(ItemNames, true)));
    }

    [Fact]
    public void IdsOfTheOtherKindOrAlreadyInTheModelAreRefusedByName()
    {
        var model = HybridModels.Tiny();
        var one = HybridModels.Rows(ItemNames, true, [(0, 1f)]);
        var kind = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(new IdMap([7L]), one));
        Assert.Contains("new item ids are integers, but the model's are strings", kind.Message);
        var twice = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(new IdMap(["i3"]), one));
        Assert.Contains("item 'i3' is already in the model", twice.Message);
        var user = Assert.Throws<ArgumentException>(() => HybridModels.Tiny(ids: IdKind.Numeric).WithFeatureOnlyUsers(new IdMap([2L]), HybridModels.Rows(UserNames, true, [(0, 1f)])));
        Assert.Contains("user 2 is already in the model", user.Message);
    }

    [Fact]
    public void RowsThatDoNotMatchTheModelsFeaturesAreRefused()
    {
        var model = HybridModels.Tiny(itemNormalized: false);
        var ids = new IdMap(["new"]);
        string[] swapped = [ItemNames[1], ItemNames[0], ItemNames[2]];
        var order = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(ids, HybridModels.Rows(swapped, false, [(0, 1f)])));
        Assert.Contains("column 0 is 'genre=Children's', where the model's item feature 0 is 'genre=Animation'", order.Message);
        var fewer = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(ids, HybridModels.Rows(ItemNames[..2], false, [(0, 1f)])));
        Assert.Contains("column 2 is nothing", fewer.Message);
        var scaled = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(ids, HybridModels.Rows(ItemNames, true, [(0, 1f)])));
        Assert.Contains("scaled to sum to 1, but the model's item descriptions were not", scaled.Message);
        var count = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(new IdMap(["a", "b"]), HybridModels.Rows(ItemNames, false, [(0, 1f)])));
        Assert.Contains("hold 1 items, but 2 ids are given", count.Message);
        var identity = new FeatureMatrix(new IdMap(ItemNames), 1, [0, 1], [0], [1f]);
        Assert.Contains("1 identity columns", Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(ids, identity)).Message);
        var empty = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyItems(new IdMap(["a", "b"]), HybridModels.Rows(ItemNames, false, [(0, 1f)], [])));
        Assert.Contains("New item 'b' has no feature of positive weight", empty.Message);
    }

    [Fact]
    public void AModelWithoutFeaturesOnThatSideSaysHowToTrainOne()
    {
        var model = HybridModels.Tiny(userFeatures: false);
        var e = Assert.Throws<ArgumentException>(() => model.WithFeatureOnlyUsers(new IdMap(["new"]), HybridModels.Rows(UserNames, true, [(0, 1f)])));
        Assert.Contains("trained without user features", e.Message);
        Assert.Contains("--user-features", e.Message);
    }

    [Fact]
    public void AnUpdateKeepsTheFeatureEmbeddings()
    {
        var table = new RatingTable();
        for (int u = 0; u < 8; u++)
        {
            for (int i = 0; i < 6; i++)
            {
                if ((u + i) % 3 == 0)
                {
                    table.Add(u, 100 + i, 1f);
                }
            }
        }
        var trained = new BprTrainer(new BprOptions { Factors = 2, Epochs = 2 }).Fit(InteractionMatrix.Build(table));
        var tiny = HybridModels.Tiny();
        var hybrid = new FactorModel(trained.Kind, trained.Users, trained.Items, trained.Factors, trained.UserFactors, trained.ItemFactors, null, trained.ItemBias, 0f, trained.SeenPtr, trained.SeenItems, trained.OptionsJson)
        {
            FoldIn = trained.FoldIn,
            UserFeatures = tiny.UserFeatures,
            ItemFeatures = tiny.ItemFeatures,
        };
        var added = new RatingTable();
        added.Add(8, 100, 1f);
        var updated = hybrid.Update(added, new UpdateOptions { Epochs = 1 });
        Assert.Equal(9, updated.Users.Count);
        Assert.Same(tiny.UserFeatures, updated.UserFeatures);
        Assert.Same(tiny.ItemFeatures, updated.ItemFeatures);
    }
}
