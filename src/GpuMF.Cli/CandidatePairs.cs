namespace GpuMF.Cli;

/// <summary>
/// The known (user, item) pairs of a candidate file grouped into one list per user, users in the order they first
/// appear, each list's items in file order: compressed rows of dense indices, as <see cref="Models.CandidateScorer.Rank"/> takes them.
/// </summary>
internal sealed class CandidatePairs
{
    private CandidatePairs(int[] users, int[] offsets, int[] items, long unknownUsers, long unknownItems, long unknownPairs)
    {
        Users = users;
        Offsets = offsets;
        Items = items;
        UnknownUsers = unknownUsers;
        UnknownItems = unknownItems;
        UnknownPairs = unknownPairs;
    }

    /// <summary>Dense user index of each list.</summary>
    public int[] Users { get; }

    /// <summary>Where each list starts in <see cref="Items"/>; one more than the lists.</summary>
    public int[] Offsets { get; }

    /// <summary>Dense item indices, list after list.</summary>
    public int[] Items { get; }

    /// <summary>Lists (users).</summary>
    public int Lists => Users.Length;

    /// <summary>Pairs kept.</summary>
    public int Pairs => Items.Length;

    /// <summary>Pairs left out for an unknown user.</summary>
    public long UnknownUsers { get; }

    /// <summary>Pairs left out for an unknown item.</summary>
    public long UnknownItems { get; }

    /// <summary>Pairs left out for an unknown user, item or both.</summary>
    public long UnknownPairs { get; }

    /// <summary>Groups the pairs (users[r], items[r]), leaving out those with an index below 0 (unknown).</summary>
    /// <param name="users">Dense user index of each row, −1 where unknown.</param>
    /// <param name="items">Dense item index of each row, −1 where unknown.</param>
    /// <param name="userCount">Users of the model.</param>
    public static CandidatePairs Group(int[] users, int[] items, int userCount)
    {
        var listOf = new int[userCount];
        Array.Fill(listOf, -1);
        var order = new List<int>();
        var lengths = new List<int>();
        long unknownUsers = 0, unknownItems = 0, unknownPairs = 0;
        for (int r = 0; r < users.Length; r++)
        {
            if (users[r] < 0 || items[r] < 0)
            {
                unknownUsers += users[r] < 0 ? 1 : 0;
                unknownItems += items[r] < 0 ? 1 : 0;
                unknownPairs++;
                continue;
            }
            ref int list = ref listOf[users[r]];
            if (list < 0)
            {
                list = order.Count;
                order.Add(users[r]);
                lengths.Add(0);
            }
            lengths[list]++;
        }
        var offsets = new int[order.Count + 1];
        for (int l = 0; l < order.Count; l++)
        {
            offsets[l + 1] = offsets[l] + lengths[l];
        }
        var cursor = offsets[..^1];
        var grouped = new int[offsets[^1]];
        for (int r = 0; r < users.Length; r++)
        {
            if (users[r] >= 0 && items[r] >= 0)
            {
                grouped[cursor[listOf[users[r]]]++] = items[r];
            }
        }
        return new CandidatePairs([.. order], offsets, grouped, unknownUsers, unknownItems, unknownPairs);
    }

    /// <summary>
    /// Consecutive runs of lists [First, End) to rank and write at a time: at most <paramref name="maxLists"/> lists and
    /// <paramref name="budget"/> pairs, and no more than <paramref name="budget"/> slots once each list is cut to
    /// <paramref name="top"/> and padded to the longest (the writers' fixed-width form); a longer list goes alone.
    /// </summary>
    public IEnumerable<(int First, int End)> Chunks(int top, int maxLists, int budget = 1 << 20)
    {
        int first = 0;
        while (first < Lists)
        {
            int end = first;
            long pairs = 0;
            int widest = 0;
            while (end < Lists)
            {
                int length = Offsets[end + 1] - Offsets[end];
                int width = Math.Max(widest, Math.Min(top, length));
                bool fits = end - first < maxLists && pairs + length <= budget && (long)(end - first + 1) * width <= budget;
                if (end > first && !fits)
                {
                    break;
                }
                pairs += length;
                widest = width;
                end++;
            }
            yield return (first, end);
            first = end;
        }
    }
}
