using System.Security.Cryptography;

namespace GpuMF.Data;

/// <summary>
/// Hashes external ids for dictionaries keyed by them. The default <see cref="long"/> hash folds the high
/// half onto the low one, so ids such as k·(2³²+1) all hash to 0 and a file of them makes every lookup a
/// scan of one bucket (quadratic loading). Here all 64 bits are mixed (the murmur3 finaliser) after a
/// per-process random key is folded in, so no list of ids collides on every machine.
/// </summary>
internal sealed class IdComparer : IEqualityComparer<long>
{
    private readonly ulong _key;

    /// <summary>Creates a comparer keyed by <paramref name="key"/>; every key gives a different hash.</summary>
    public IdComparer(ulong key) => _key = key;

    /// <summary>The comparer of this process, under a random key.</summary>
    public static IdComparer Instance { get; } = new(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long id)
    {
        ulong h = (ulong)id ^ _key;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return (int)h;
    }
}
