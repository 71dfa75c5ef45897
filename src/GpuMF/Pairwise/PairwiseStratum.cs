using GpuMF.Kernels.Sampling;

namespace GpuMF.Pairwise;

/// <summary>
/// One cell of a stratified-SGD grid of a BPR or WARP problem, in local indices: users [<see cref="FirstUser"/>,
/// +<see cref="UserCount"/>) of the whole problem and the items of <see cref="BlockItems"/> (ascending), its
/// positives and its users' observed items within the block, ascending. The engines that train a cell at a time
/// (<see cref="MpiPairwiseEngine"/> across ranks, <see cref="DevicePairwiseEngine"/> across devices) build their
/// cells here, train each on a problem of its own (<see cref="Problem"/>) and write it back (<see cref="WriteBack"/>).
/// </summary>
internal sealed record PairwiseStratum(int FirstUser, int UserCount, int[] BlockItems, int[] Users, int[] Items, int[] SeenPtr, int[] SeenItems)
{
    /// <summary>
    /// Slices each cell is cut into, run one slice of every stratum at a time: with whole cells a user's negatives
    /// come from one item block for a long run, which costs WARP precision as it did the CPU engine's whole-cell
    /// rounds (its <c>Sweeps</c>); bench/RESULTS.md ("BPR and WARP across MPI ranks") has the figures.
    /// </summary>
    public const int Sweeps = 8;

    /// <summary>
    /// The items of each of <paramref name="blocks"/> blocks, ascending. Items are hashed into blocks rather than
    /// cut in index order: indices follow first appearance, which follows popularity, and a block of popular items
    /// alone would give BPR and WARP negatives of one popularity.
    /// </summary>
    public static int[][] ItemBlocks(PairwiseProblem problem, int blocks)
    {
        var members = Enumerable.Range(0, blocks).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < problem.ItemCount; i++)
        {
            members[(int)(XorShiftRandom.Mix((ulong)i ^ problem.Settings.Seed) % (ulong)blocks)].Add(i);
        }
        return [.. members.Select(m => m.ToArray())];
    }

    /// <summary>A seed of its own for the cell or slice numbered <paramref name="stream"/> (≥ 0), from the run's seed.</summary>
    public static ulong Seed(PairwiseSettings settings, int stream) =>
        XorShiftRandom.Mix(settings.Seed ^ (((ulong)(uint)stream + 1) * 0x9E3779B97F4A7C15UL));

    /// <summary>
    /// The cells of users [<paramref name="firstUser"/>, <paramref name="endUser"/>) with each of
    /// <paramref name="itemBlocks"/> (disjoint, each ascending), in one pass over the positives and one over the
    /// users' observed items.
    /// </summary>
    public static PairwiseStratum[] Row(PairwiseProblem problem, int firstUser, int endUser, int[][] itemBlocks)
    {
        int blocks = itemBlocks.Length;
        int userCount = endUser - firstUser;
        var blockOf = new int[problem.ItemCount];
        Array.Fill(blockOf, -1);
        var localOf = new int[problem.ItemCount];
        for (int b = 0; b < blocks; b++)
        {
            for (int n = 0; n < itemBlocks[b].Length; n++)
            {
                blockOf[itemBlocks[b][n]] = b;
                localOf[itemBlocks[b][n]] = n;
            }
        }
        var users = Enumerable.Range(0, blocks).Select(_ => new List<int>()).ToArray();
        var items = Enumerable.Range(0, blocks).Select(_ => new List<int>()).ToArray();
        for (int n = 0; n < problem.Positives; n++)
        {
            int u = problem.Users[n], i = problem.Items[n];
            if (u >= firstUser && u < endUser && blockOf[i] >= 0)
            {
                users[blockOf[i]].Add(u - firstUser);
                items[blockOf[i]].Add(localOf[i]);
            }
        }
        var seenPtr = Enumerable.Range(0, blocks).Select(_ => new int[userCount + 1]).ToArray();
        var seen = Enumerable.Range(0, blocks).Select(_ => new List<int>()).ToArray();
        for (int u = firstUser; u < endUser; u++)
        {
            for (int n = problem.SeenPtr[u]; n < problem.SeenPtr[u + 1]; n++)
            {
                int i = problem.SeenItems[n];
                if (blockOf[i] >= 0)
                {
                    seen[blockOf[i]].Add(localOf[i]);
                }
            }
            for (int b = 0; b < blocks; b++)
            {
                seenPtr[b][u - firstUser + 1] = seen[b].Count;
            }
        }
        return [.. Enumerable.Range(0, blocks).Select(b => new PairwiseStratum(firstUser, userCount, itemBlocks[b], [.. users[b]], [.. items[b]], seenPtr[b], [.. seen[b]]))];
    }

    /// <summary>
    /// The cell cut into <paramref name="count"/> slices of its positives, each positive in the slice its hash
    /// picks (the positives come grouped by user, and a user's are to be spread over the slices), each slice with
    /// the whole cell's observed items.
    /// </summary>
    public PairwiseStratum[] Slices(int count) =>
        [.. Enumerable.Range(0, count).Select(w =>
        {
            var picked = Enumerable.Range(0, Users.Length).Where(n => (int)(XorShiftRandom.Mix((ulong)(uint)n) % (ulong)count) == w).ToArray();
            return this with { Users = [.. picked.Select(n => Users[n])], Items = [.. picked.Select(n => Items[n])] };
        })];

    /// <summary>
    /// The cell's problem with copies of the whole problem's current parameters of its blocks, WARP's rank
    /// estimate counting the whole catalogue, and the random streams of <paramref name="seed"/>.
    /// </summary>
    public PairwiseProblem Problem(PairwiseProblem whole, ulong seed)
    {
        int k = whole.Settings.Factors;
        float[]? Rows(float[]? values, int rows) => values is null ? null : new float[rows];
        var local = new PairwiseProblem(
            UserCount,
            BlockItems.Length,
            Users,
            Items,
            SeenPtr,
            SeenItems,
            new float[UserCount * k],
            new float[BlockItems.Length * k],
            new float[BlockItems.Length],
            Rows(whole.UserAccumulators, UserCount * k),
            Rows(whole.ItemAccumulators, BlockItems.Length * k),
            Rows(whole.BiasAccumulators, BlockItems.Length),
            whole.Settings with { Seed = seed })
        {
            Catalogue = whole.CatalogueItems,
        };
        Load(whole, local);
        return local;
    }

    /// <summary>Copies the whole problem's current parameters (and adagrad sums) of the cell's blocks into <paramref name="local"/> (made by <see cref="Problem"/>).</summary>
    public void Load(PairwiseProblem whole, PairwiseProblem local)
    {
        int k = whole.Settings.Factors;
        void UserRows(float[]? from, float[]? to) => from?.AsSpan(FirstUser * k, UserCount * k).CopyTo(to);
        void ItemRows(float[]? from, float[]? to, int width)
        {
            if (from is null || to is null)
            {
                return;
            }
            for (int n = 0; n < BlockItems.Length; n++)
            {
                from.AsSpan(BlockItems[n] * width, width).CopyTo(to.AsSpan(n * width, width));
            }
        }
        UserRows(whole.P, local.P);
        UserRows(whole.UserAccumulators, local.UserAccumulators);
        ItemRows(whole.Q, local.Q, k);
        ItemRows(whole.ItemBias, local.ItemBias, 1);
        ItemRows(whole.ItemAccumulators, local.ItemAccumulators, k);
        ItemRows(whole.BiasAccumulators, local.BiasAccumulators, 1);
    }

    /// <summary>Copies the cell's trained parameters back into the whole problem's arrays.</summary>
    public void WriteBack(PairwiseProblem local, PairwiseProblem whole)
    {
        int k = whole.Settings.Factors;
        local.P.CopyTo(whole.P, FirstUser * k);
        local.UserAccumulators?.CopyTo(whole.UserAccumulators!, FirstUser * k);
        for (int n = 0; n < BlockItems.Length; n++)
        {
            int i = BlockItems[n];
            local.Q.AsSpan(n * k, k).CopyTo(whole.Q.AsSpan(i * k, k));
            whole.ItemBias[i] = local.ItemBias[n];
            local.ItemAccumulators?.AsSpan(n * k, k).CopyTo(whole.ItemAccumulators.AsSpan(i * k, k));
            if (local.BiasAccumulators is { } gb)
            {
                whole.BiasAccumulators![i] = gb[n];
            }
        }
    }

    /// <summary>Bytes of the cell's parameters and adagrad sums in <paramref name="whole"/>'s shape: what one refresh or one read-back of a resident cell copies.</summary>
    public long ParameterBytes(PairwiseProblem whole)
    {
        long rows = UserCount + (long)BlockItems.Length;
        long floats = (rows * whole.Settings.Factors) + BlockItems.Length;
        return sizeof(float) * (whole.UserAccumulators is null ? floats : 2 * floats);
    }
}
