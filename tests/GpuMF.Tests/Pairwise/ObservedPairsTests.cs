using GpuMF.Pairwise;

namespace GpuMF.Tests.Pairwise;

/// <summary>The CPU engines' observed-pair lookup, by bitmap and by hashed filter, against the pairs themselves.</summary>
public sealed class ObservedPairsTests
{
    /// <summary>Random ascending rows: about <paramref name="perUser"/> items of <paramref name="items"/> for each user, some users with none.</summary>
    private static (int[] Ptr, int[] Items) Rows(int users, int items, int perUser, int seed)
    {
        var random = new Random(seed);
        var ptr = new int[users + 1];
        var all = new List<int>();
        for (int u = 0; u < users; u++)
        {
            int count = u % 7 == 0 ? 0 : random.Next(1, 2 * perUser);
            all.AddRange(Enumerable.Range(0, count).Select(_ => random.Next(items)).Distinct().Order());
            ptr[u + 1] = all.Count;
        }
        return (ptr, [.. all]);
    }

    [Theory]
    [InlineData(200, 300)]
    [InlineData(40_000, 20_000)]
    public void EveryObservedPairIsFoundAndOthersAreNot(int users, int items)
    {
        var (ptr, seen) = Rows(users, items, 12, users);
        bool bitmap = (long)users * items <= ObservedPairs.MaxBitmapBytes * 8;
        Assert.Equal(bitmap, ObservedPairs.Bitmap(users, items, ptr, seen) is not null);
        using var observed = new ObservedPairs(users, items, ptr, seen);
        var random = new Random(5);
        for (int u = 0; u < users; u++)
        {
            var row = seen.AsSpan(ptr[u], ptr[u + 1] - ptr[u]);
            foreach (int i in row)
            {
                observed.Prefetch(u, i);
                Assert.True(observed.Contains(u, i), $"user {u}, item {i}");
            }
            for (int t = 0; t < 20; t++)
            {
                int i = random.Next(items);
                Assert.Equal(row.BinarySearch(i) >= 0, observed.Contains(u, i));
            }
        }
    }
}
