using GpuMF.Data;

namespace GpuMF.Tests.Data;

/// <summary>
/// <see cref="RatingTable.Positives"/> shares the user and item arrays when every row passes (4 bytes a row instead
/// of 20 while a large file becomes positives); the two tables must still behave as independent copies.
/// </summary>
public sealed class RatingTablePositivesTests
{
    private static RatingTable Table(int capacity, int rows)
    {
        var table = new RatingTable(capacity);
        for (int r = 0; r < rows; r++)
        {
            table.Add(100 + r, 200 + r, 1 + (r % 5));
        }
        return table;
    }

    [Theory]
    [InlineData(64, 40)]
    [InlineData(40, 40)]
    public void RowsAddedToEitherTableAfterwardsLeaveTheOtherAsItWas(int capacity, int rows)
    {
        var ratings = Table(capacity, rows);
        var positives = ratings.Positives();
        Assert.Equal(ratings.Users.ToArray(), positives.Users.ToArray());
        Assert.Equal(ratings.Items.ToArray(), positives.Items.ToArray());
        Assert.All(positives.Values.ToArray(), v => Assert.Equal(1f, v));

        // Both append into the same slot when the arrays have room: the first must not see the second's row.
        ratings.Add(1, 2, 3);
        positives.Add(4, 5, 1);
        Assert.Equal(rows + 1, ratings.Count);
        Assert.Equal(rows + 1, positives.Count);
        Assert.Equal((1L, 2L, 3f), (ratings.Users[^1], ratings.Items[^1], ratings.Values[^1]));
        Assert.Equal((4L, 5L, 1f), (positives.Users[^1], positives.Items[^1], positives.Values[^1]));
        Assert.Equal(Table(capacity, rows).Users.ToArray(), ratings.Users[..rows].ToArray());
        Assert.Equal(Table(capacity, rows).Items.ToArray(), positives.Items[..rows].ToArray());
    }

    [Fact]
    public void AThresholdKeepsOnlyTheRowsAtOrAboveIt()
    {
        var ratings = Table(64, 40);
        var positives = ratings.Positives(4);
        Assert.Equal(16, positives.Count);
        Assert.All(positives.Values.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(ratings.Users.ToArray().Where((_, r) => ratings.Values[r] >= 4), positives.Users.ToArray());
        positives.Add(1, 2, 1);
        Assert.Equal(40, ratings.Count);
    }
}
