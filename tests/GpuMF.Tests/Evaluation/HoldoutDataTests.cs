using GpuMF.Data;
using GpuMF.Evaluation;

namespace GpuMF.Tests.Evaluation;

public sealed class HoldoutDataTests
{
    [Fact]
    public void TestOnlyIdsJoinTheIndexSpaceOfBothMatrices()
    {
        var train = new RatingTable();
        train.Add(10, 100, 4f);
        train.Add(10, 200, 3f);
        train.Add(20, 100, 5f);
        var test = new RatingTable();
        test.Add(20, 300, 2f);
        test.Add(30, 100, 1f);

        var (trainMatrix, testMatrix) = HoldoutData.Build(train, test);

        Assert.Same(trainMatrix.Users, testMatrix.Users);
        Assert.Same(trainMatrix.Items, testMatrix.Items);
        Assert.Equal(3, trainMatrix.UserCount);
        Assert.Equal(3, trainMatrix.ItemCount);
        Assert.Equal(3, trainMatrix.Count);
        int newcomer = trainMatrix.Users.IndexOf(30);
        Assert.True(trainMatrix.ItemsOf(newcomer).IsEmpty);
        int user20 = testMatrix.Users.IndexOf(20);
        Assert.Equal([testMatrix.Items.IndexOf(300)], testMatrix.ItemsOf(user20).ToArray());
        Assert.Equal([2f], testMatrix.ValuesOf(user20).ToArray());
        Assert.Equal([trainMatrix.Items.IndexOf(100)], trainMatrix.ItemsOf(user20).ToArray());
    }

    [Fact]
    public void ARepeatedPairKeepsItsLastValueByDefault()
    {
        var train = new RatingTable();
        train.Add(1, 1, 2f);
        train.Add(1, 1, 5f);
        var test = new RatingTable();
        test.Add(1, 2, 3f);

        var (trainMatrix, _) = HoldoutData.Build(train, test);

        Assert.Equal([5f], trainMatrix.ValuesOf(0).ToArray());
        Assert.Throws<ArgumentException>(() => HoldoutData.Build(train, test, DuplicatePolicy.Reject));
    }
}
