using GpuMF.Data;

namespace GpuMF.Tests.Data;

/// <summary>
/// Ids chosen to collide: k·(2³²+1) has equal halves, which the default <see cref="long"/> hash folds to 0,
/// so a file of them made loading quadratic (400K rows: minutes). Counted, not timed: the hash codes and
/// the buckets such ids land in.
/// </summary>
public sealed class IdMapHashingTests
{
    private const int Count = 200_000;

    private static long[] CollidingIds() => Enumerable.Range(1, Count).Select(k => k * ((1L << 32) + 1)).ToArray();

    [Fact]
    public void IdsThatShareOneDefaultHashGetDistinctHashes()
    {
        var ids = CollidingIds();
        Assert.Single(ids.Select(id => id.GetHashCode()).Distinct());
        var hashes = ids.Select(IdComparer.Instance.GetHashCode).ToArray();
        // 200K random 32-bit hashes share one about 5 times (n²/2³³).
        Assert.True(hashes.Distinct().Count() > Count - 50, $"{Count - hashes.Distinct().Count()} repeated hash codes");
        // A dictionary of this size spreads them over about 1 − 1/e of its buckets, as random keys would.
        const int Buckets = 200_003;
        int used = hashes.Select(h => (uint)h % Buckets).Distinct().Count();
        Assert.InRange(used, 0.6 * Count, 0.66 * Count);
    }

    [Fact]
    public void IdMapsHashByTheMixingComparer()
    {
        var ids = CollidingIds();
        var map = new IdMap(ids);
        Assert.Same(IdComparer.Instance, map.Comparer);
        Assert.Same(IdComparer.Instance, map.ToReadOnly().Comparer);
        Assert.Same(IdComparer.Instance, new IdMap().Comparer);
        Assert.Equal(Count, map.Count);
        Assert.Equal(Count - 1, map.IndexOf(ids[^1]));
        Assert.False(map.TryGetIndex(3L << 32, out _));
    }

    [Fact]
    public void TheHashDependsOnTheKey()
    {
        var a = new IdComparer(1);
        var b = new IdComparer(2);
        int same = Enumerable.Range(0, 10_000).Count(id => a.GetHashCode(id) == b.GetHashCode(id));
        Assert.True(same < 5, $"{same} of 10000 ids hash alike under two keys");
        Assert.True(a.Equals(-7, -7));
        Assert.False(a.Equals(1L << 32, 1));
    }
}
