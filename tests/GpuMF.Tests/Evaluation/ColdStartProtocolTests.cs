using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Pairwise;

namespace GpuMF.Tests.Evaluation;

/// <summary>The cold-start protocols' index space and pipeline: training, the feature-only entities, the candidates.</summary>
public sealed class ColdStartProtocolTests
{
    /// <summary>Users 1–30 train on items 0–19; users 31–40 are held out, and one of them likes item 99, which no training row holds.</summary>
    private static (RatingTable Train, RatingTable Test) Split()
    {
        var random = new Random(3);
        var train = new RatingTable();
        var test = new RatingTable();
        for (int u = 1; u <= 40; u++)
        {
            var table = u <= 30 ? train : test;
            foreach (int i in Enumerable.Range(0, 20).Where(i => (i + u) % 3 == 0 || random.Next(5) == 0))
            {
                table.Add(u, i, 1f);
            }
        }
        test.Add(31, 99, 1f);
        return (train, test);
    }

    [Fact]
    public void UserColdStartRanksEveryItemOfTheSplitItemsColdStartKeepsTrainingsOwn()
    {
        var (train, test) = Split();
        var users = ColdStartProtocol.TrainingMatrix(train, test, ColdStartSide.Users);
        Assert.Equal(30, users.UserCount);
        Assert.Equal(21, users.ItemCount);
        Assert.True(users.ItemsOf(0).Length > 0);
        Assert.Equal(0, users.ItemPtr[users.Items.IndexOf(99L) + 1] - users.ItemPtr[users.Items.IndexOf(99L)]);
        Assert.Equal(train.Count, users.Count);
        var items = ColdStartProtocol.TrainingMatrix(train, test, ColdStartSide.Items);
        Assert.Equal(20, items.ItemCount);
        Assert.Equal(30, items.UserCount);

        var catalogue = new IdMap([5L, 99L, 500L, 501L]);
        var wide = ColdStartProtocol.TrainingMatrix(train, test, ColdStartSide.Users, catalogue: catalogue);
        Assert.Equal(23, wide.ItemCount);
        Assert.Equal(train.Count, wide.Count);
        Assert.Equal(21, wide.Items.IndexOf(500L));
        Assert.Throws<ArgumentException>(() => ColdStartProtocol.TrainingMatrix(train, test, ColdStartSide.Items, catalogue: catalogue));
    }

    [Fact]
    public void HeldOutUsersAreAddedFromTheirFeaturesAndRankEveryItem()
    {
        var (train, test) = Split();
        var ids = Enumerable.Range(1, 40).Select(u => (long)u).ToArray();
        var table = new FeatureTable(new IdMap(ids), new IdMap(["g=a", "g=b", "g=c"]), [.. Enumerable.Range(0, 40)], [.. Enumerable.Range(0, 40).Select(u => u % 3)], [.. Enumerable.Repeat(1f, 40)]);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        int trainedUsers = -1;
        var result = ColdStartProtocol.Run(train, test, ColdStartSide.Users, matrix =>
        {
            var features = EntityFeatures.Build(table, matrix.Users, FeatureOptions.Defaults with { Identity = false });
            trainedUsers = matrix.UserCount;
            var model = new WarpTrainer(WarpOptions.Defaults with { Factors = 4, Epochs = 3 }, cpu) { UserFeatures = features.Known }.Fit(matrix);
            return new ColdStartFit(model, features, null);
        });
        Assert.Equal(30, trainedUsers);
        Assert.Equal(10, result.FeatureOnly);
        Assert.Equal(40, result.Model.Users.Count);
        Assert.Equal(21, result.Metrics.Candidates);
        Assert.Equal(10, result.Metrics.Users);
        Assert.Equal(0, result.TestRowsLeftOut);
        Assert.InRange(result.Metrics.AucFull, 0, 1);
        Assert.InRange(result.Metrics.Precision, 0, 1);
    }

    [Fact]
    public void WithoutFeaturesForTheHeldOutSideNothingIsJudged()
    {
        var (train, test) = Split();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var e = Assert.Throws<ArgumentException>(() => ColdStartProtocol.Run(train, test, ColdStartSide.Users, matrix =>
            new ColdStartFit(new WarpTrainer(WarpOptions.Defaults with { Factors = 4, Epochs = 1 }, cpu).Fit(matrix), null, null)));
        Assert.Equal("test", e.ParamName);
        Assert.Contains("No test row has a user that training lacks and the user features describe", e.Message);
    }
}
