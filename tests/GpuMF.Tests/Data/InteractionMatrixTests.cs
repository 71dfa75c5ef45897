using GpuMF.Data;

namespace GpuMF.Tests.Data;

public sealed class InteractionMatrixTests
{
    private static RatingTable Table(params (long U, long I, float V)[] rows)
    {
        var t = new RatingTable();
        foreach (var (u, i, v) in rows)
        {
            t.Add(u, i, v);
        }
        return t;
    }

    [Fact]
    public void BuildsSortedRowsAndTranspose()
    {
        var m = InteractionMatrix.Build(Table((10, 5, 1), (20, 7, 2), (10, 3, 3), (30, 5, 4)));
        Assert.Equal(3, m.UserCount);
        Assert.Equal(3, m.ItemCount);
        int u10 = m.Users.IndexOf(10);
        Assert.Equal(new[] { m.Items.IndexOf(5), m.Items.IndexOf(3) }.Order().ToArray(), m.ItemsOf(u10).ToArray());
        int i5 = m.Items.IndexOf(5);
        Assert.Equal([m.Users.IndexOf(10), m.Users.IndexOf(30)], m.UsersOf(i5).ToArray());
        Assert.Equal(m.Count, m.ItemUsers.Length);
        Assert.Equal(2.5, m.MeanValue());
    }

    [Fact]
    public void DuplicatePolicies()
    {
        var t = Table((1, 1, 2), (1, 2, 1), (1, 1, 5));
        var e = Assert.Throws<ArgumentException>(() => InteractionMatrix.Build(t));
        Assert.Contains("user 1, item 1", e.Message);
        var sum = InteractionMatrix.Build(t, DuplicatePolicy.Sum);
        Assert.Equal(2, sum.Count);
        Assert.Equal(7f, sum.ValuesOf(0)[0]);
        var last = InteractionMatrix.Build(t, DuplicatePolicy.KeepLast);
        Assert.Equal(5f, last.ValuesOf(0)[0]);
    }

    [Fact]
    public void SharedIdMapsGiveOneIndexSpace()
    {
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(Table((1, 1, 1), (2, 2, 1)), DuplicatePolicy.Reject, users, items);
        var test = InteractionMatrix.Build(Table((2, 3, 1), (9, 1, 1)), DuplicatePolicy.Reject, users, items);
        Assert.Equal(2, train.UserCount);
        Assert.Equal(3, test.UserCount);
        Assert.Equal(3, test.ItemCount);
        Assert.Equal(users.IndexOf(2), test.Users.IndexOf(2));
        Assert.Throws<KeyNotFoundException>(() => users.IndexOf(77));
    }

    [Fact]
    public void RejectsNonFiniteValues()
    {
        var e = Assert.Throws<ArgumentException>(() => InteractionMatrix.Build(Table((1, 1, float.PositiveInfinity))));
        Assert.Contains("non-finite", e.Message);
    }

    [Fact]
    public void SplitsAreSeededAndDisjoint()
    {
        var t = new RatingTable();
        for (int n = 0; n < 1000; n++)
        {
            t.Add(n % 37, n, 1);
        }
        var (train, test) = Splitter.RandomByRating(t, 0.2, 5);
        var (train2, _) = Splitter.RandomByRating(t, 0.2, 5);
        Assert.Equal(200, test.Count);
        Assert.Equal(800, train.Count);
        Assert.Equal(train.Items.ToArray(), train2.Items.ToArray());
        Assert.Empty(train.Items.ToArray().Intersect(test.Items.ToArray()));
        var (ptrain, ptest) = Splitter.PerUserFraction(t, 0.25, 5);
        Assert.Equal(1000, ptrain.Count + ptest.Count);
        foreach (var g in ptest.Users.ToArray().GroupBy(u => u))
        {
            int n = t.Users.ToArray().Count(u => u == g.Key);
            Assert.Equal((int)Math.Round(0.25 * n, MidpointRounding.AwayFromZero), g.Count());
        }
    }

    [Fact]
    public void SyntheticDataIsDeterministicAndSkewed()
    {
        var a = SyntheticData.Generate(2000, 500, 40_000, explicitRatings: true, seed: 3);
        var b = SyntheticData.Generate(2000, 500, 40_000, explicitRatings: true, seed: 3);
        Assert.Equal(a.UserItems, b.UserItems);
        Assert.Equal(a.UserValues, b.UserValues);
        Assert.InRange(a.Count, 38_000, 42_000);
        Assert.All(a.UserValues, v => Assert.InRange(v, 1f, 5f));
        var popularity = Enumerable.Range(0, a.ItemCount).Select(i => a.ItemPtr[i + 1] - a.ItemPtr[i]).OrderDescending().ToArray();
        Assert.True(popularity[0] > 10 * popularity[popularity.Length / 2], "item popularity should be heavy-tailed");
    }

    [Fact]
    public void PositivesKeepRowsAtOrAboveTheThresholdAsOnes()
    {
        var p = Table((1, 1, 5), (1, 2, 3), (2, 1, 4)).Positives(minValue: 4f);
        Assert.Equal([1L, 2L], p.Users.ToArray());
        Assert.Equal([1L, 1L], p.Items.ToArray());
        Assert.Equal([1f, 1f], p.Values.ToArray());
    }
}
