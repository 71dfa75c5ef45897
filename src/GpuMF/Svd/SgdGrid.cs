using GpuMF.Kernels.Sampling;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// The ratings of an SGD problem grouped into the cells of a G × G grid for stratified SGD: users and items cut
/// into G contiguous blocks each (<see cref="EvenBlocks"/>), a cell holding the ratings of one user block and one
/// item block in the problem's order. The engines that train a cell at a time (<see cref="MpiSgdEngine"/> across
/// ranks, <see cref="DeviceSgdEngine"/> across devices) take their cells from here.
/// </summary>
internal sealed class SgdGrid
{
    private readonly SgdProblem _problem;
    private readonly int[] _cellStart;
    private readonly int[] _order;

    /// <param name="problem">The whole problem.</param>
    /// <param name="blocks">G, ≥ 1.</param>
    public SgdGrid(SgdProblem problem, int blocks)
    {
        _problem = problem;
        Blocks = blocks;
        UserStarts = EvenBlocks.Bounds(problem.UserCount, blocks);
        ItemStarts = EvenBlocks.Bounds(problem.ItemCount, blocks);
        var userBlock = DeviceStrata.BlockOf(UserStarts);
        var itemBlock = DeviceStrata.BlockOf(ItemStarts);
        int n = problem.Ratings.Length;
        var cellOf = new int[n];
        _cellStart = new int[blocks * blocks + 1];
        for (int r = 0; r < n; r++)
        {
            cellOf[r] = userBlock[problem.Users[r]] * blocks + itemBlock[problem.Items[r]];
            _cellStart[cellOf[r] + 1]++;
        }
        for (int c = 0; c < blocks * blocks; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }
        // A stable counting sort: each cell keeps the problem's (shuffled) order.
        _order = new int[n];
        var next = _cellStart[..^1];
        for (int r = 0; r < n; r++)
        {
            _order[next[cellOf[r]]++] = r;
        }
    }

    /// <summary>G: blocks per side.</summary>
    public int Blocks { get; }

    /// <summary>G + 1 bounds of the user blocks.</summary>
    public int[] UserStarts { get; }

    /// <summary>G + 1 bounds of the item blocks.</summary>
    public int[] ItemStarts { get; }

    /// <summary>Ratings in cell (<paramref name="row"/>, <paramref name="col"/>).</summary>
    public int Count(int row, int col) => _cellStart[(row * Blocks) + col + 1] - _cellStart[(row * Blocks) + col];

    /// <summary>Users of block <paramref name="row"/>.</summary>
    public int Users(int row) => UserStarts[row + 1] - UserStarts[row];

    /// <summary>Items of block <paramref name="col"/>.</summary>
    public int Items(int col) => ItemStarts[col + 1] - ItemStarts[col];

    /// <summary>
    /// The cell's ratings in the whole problem's indices, in arrays of their own (the CPU engine regroups them in
    /// place), with the whole problem's parameter arrays, shared: for an engine that updates them where they are.
    /// </summary>
    public SgdProblem Shared(int row, int col)
    {
        var (users, items, ratings) = Ratings(row, col, 0, 0);
        return _problem with { Users = users, Items = items, Ratings = ratings };
    }

    /// <summary>
    /// The cell as a problem of its own: user and item indices local to its blocks, copies of the blocks' current
    /// parameters, the whole problem's mean, and a seed of its own (derived from the whole one and the cell), so
    /// that no two cells visit their ratings in the same order.
    /// </summary>
    public SgdProblem Local(int row, int col)
    {
        int k = _problem.Options.Factors;
        var (users, items, ratings) = Ratings(row, col, UserStarts[row], ItemStarts[col]);
        var local = new SgdProblem(
            users,
            items,
            ratings,
            Users(row),
            Items(col),
            new float[Users(row) * k],
            new float[Items(col) * k],
            new float[Users(row)],
            new float[Items(col)],
            _problem.Mean,
            _problem.Options with { Seed = XorShiftRandom.Mix(_problem.Options.Seed ^ (((ulong)(uint)((row * Blocks) + col) + 1) * 0x9E3779B97F4A7C15UL)) });
        Load(local, row, col);
        return local;
    }

    /// <summary>Copies the whole problem's current parameters of the cell's blocks into <paramref name="local"/> (made by <see cref="Local"/>).</summary>
    public void Load(SgdProblem local, int row, int col)
    {
        int k = _problem.Options.Factors;
        _problem.P.AsSpan(UserStarts[row] * k, local.P.Length).CopyTo(local.P);
        _problem.Q.AsSpan(ItemStarts[col] * k, local.Q.Length).CopyTo(local.Q);
        _problem.UserBias.AsSpan(UserStarts[row], local.UserBias.Length).CopyTo(local.UserBias);
        _problem.ItemBias.AsSpan(ItemStarts[col], local.ItemBias.Length).CopyTo(local.ItemBias);
    }

    /// <summary>Copies <paramref name="local"/>'s trained parameters back into the whole problem's rows of the cell's blocks.</summary>
    public void WriteBack(SgdProblem local, int row, int col)
    {
        int k = _problem.Options.Factors;
        local.P.CopyTo(_problem.P, UserStarts[row] * k);
        local.Q.CopyTo(_problem.Q, ItemStarts[col] * k);
        local.UserBias.CopyTo(_problem.UserBias, UserStarts[row]);
        local.ItemBias.CopyTo(_problem.ItemBias, ItemStarts[col]);
    }

    /// <summary>Bytes of the cell's parameters (its blocks' factors and biases): what one refresh or one read-back of a resident cell copies.</summary>
    public long ParameterBytes(int row, int col) => sizeof(float) * (((long)Users(row) + Items(col)) * (_problem.Options.Factors + 1));

    /// <summary>The cell's rating triples, their indices less <paramref name="firstUser"/> and <paramref name="firstItem"/>.</summary>
    private (int[] Users, int[] Items, float[] Ratings) Ratings(int row, int col, int firstUser, int firstItem)
    {
        int start = _cellStart[(row * Blocks) + col];
        int n = Count(row, col);
        var users = new int[n];
        var items = new int[n];
        var ratings = new float[n];
        for (int m = 0; m < n; m++)
        {
            int r = _order[start + m];
            users[m] = _problem.Users[r] - firstUser;
            items[m] = _problem.Items[r] - firstItem;
            ratings[m] = _problem.Ratings[r];
        }
        return (users, items, ratings);
    }
}
