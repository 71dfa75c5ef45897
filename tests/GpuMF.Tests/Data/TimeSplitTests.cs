using GpuMF.Data;

namespace GpuMF.Tests.Data;

/// <summary><see cref="Splitter.ByTime"/>, <see cref="Splitter.LastPerUser"/> and its random counterpart <see cref="Splitter.RandomPerUser"/>.</summary>
public sealed class TimeSplitTests
{
    private static RatingTable Timed(params (long User, long Item, float Value, long Time)[] rows)
    {
        var table = new RatingTable(IdKind.Numeric, IdKind.Numeric, rows.Length, times: true);
        foreach (var (user, item, value, time) in rows)
        {
            table.Add(user, item, value, time);
        }
        return table;
    }

    private static List<(long, long)> Pairs(RatingTable table) =>
        [.. Enumerable.Range(0, table.Count).Select(k => (table.Users[k], table.Items[k])).Order()];

    [Fact]
    public void ACutInTimeSendsTheRowsBeforeItToTrain()
    {
        var table = Timed((1, 10, 4, 100), (2, 20, 3, 300), (1, 11, 5, 200), (2, 21, 2, 199));
        var (train, test) = Splitter.ByTime(table, 200);
        Assert.Equal<(long, long)>([(1, 10), (2, 21)], Pairs(train));
        Assert.Equal<(long, long)>([(1, 11), (2, 20)], Pairs(test));
        // Times and values travel with their rows, in input order.
        Assert.Equal([100L, 199L], train.Times.ToArray());
        Assert.Equal([3f, 5f], test.Values.ToArray());
        var (all, none) = Splitter.ByTime(table, 301);
        Assert.Equal(4, all.Count);
        Assert.Equal(0, none.Count);
    }

    [Fact]
    public void LeaveLastHoldsOutEachUsersLatestRowsAndBreaksTiesByRowOrder()
    {
        var table = Timed(
            (1, 10, 1, 500), (1, 11, 1, 100), (1, 12, 1, 300), (1, 13, 1, 300),
            (2, 20, 1, 50), (2, 21, 1, 60),
            (3, 30, 1, 7));
        var (train, test) = Splitter.LastPerUser(table, 2);
        // User 1: 500 is latest; of the tie at 300 the later row (item 13) counts as later.
        // User 2 has two rows: the earlier stays in train. User 3's only row stays in train.
        Assert.Equal<(long, long)>([(1, 10), (1, 13), (2, 21)], Pairs(test));
        Assert.Equal<(long, long)>([(1, 11), (1, 12), (2, 20), (3, 30)], Pairs(train));
        Assert.Equal(table.Count, train.Count + test.Count);
    }

    [Fact]
    public void LeaveLastIsTheSameWhateverTheRowOrderOfDistinctTimes()
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 400).Select(k => ((long)(k % 17), (long)k, 1f, (long)rng.Next(1_000_000))).ToArray();
        var (_, test) = Splitter.LastPerUser(Timed(rows), 3);
        var (_, shuffled) = Splitter.LastPerUser(Timed([.. rows.OrderBy(_ => rng.Next())]), 3);
        Assert.Equal(Pairs(test), Pairs(shuffled));
        foreach (var user in rows.GroupBy(r => r.Item1))
        {
            var latest = user.OrderByDescending(r => r.Item4).Take(3).Select(r => (r.Item1, r.Item2));
            Assert.Subset(Pairs(test).ToHashSet(), latest.ToHashSet());
        }
    }

    [Fact]
    public void RandomPerUserHoldsOutAsManyRowsPerUserAsLeaveLast()
    {
        var rng = new Random(9);
        var rows = Enumerable.Range(0, 600).Select(k => ((long)rng.Next(40), (long)k, 1f, (long)k)).ToArray();
        var table = Timed(rows);
        var (_, last) = Splitter.LastPerUser(table, 5);
        var (train, random) = Splitter.RandomPerUser(table, 5, 42);
        Assert.Equal(table.Count, train.Count + random.Count);
        var lastCounts = last.Users.ToArray().GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());
        var randomCounts = random.Users.ToArray().GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(lastCounts.OrderBy(kv => kv.Key), randomCounts.OrderBy(kv => kv.Key));
        // Random, not the latest: over 40 users some held-out row is not among its user's latest five.
        Assert.NotEqual(Pairs(last), Pairs(random));
        Assert.Equal(Pairs(random), Pairs(Splitter.RandomPerUser(table, 5, 42).Test));
    }

    [Fact]
    public void SplitsByTimeNeedTimes()
    {
        var table = new RatingTable();
        table.Add(1, 10, 1);
        Assert.Contains("no timestamps", Assert.Throws<ArgumentException>(() => Splitter.ByTime(table, 0)).Message);
        Assert.Contains("no timestamps", Assert.Throws<ArgumentException>(() => Splitter.LastPerUser(table, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splitter.LastPerUser(Timed((1, 10, 1, 1)), 0));
    }
}
