using System.Runtime.InteropServices;
using GpuMF.Kernels.Sampling;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR or WARP across the ranks of an MPI job by stratified SGD (Gemulla et al., KDD 2011), as
/// <c>MpiSgdEngine</c> does for SVD: users are cut into N contiguous blocks (N ranks) and items hashed into N blocks,
/// rank r owns user block r, and an epoch runs N strata, rank r training cell (r, (r + s) mod N) with the managed CPU engine on a
/// problem of that cell alone (its positives, its users' observed items within the block, the blocks' parameters
/// and adagrad sums), so negatives come from the cell's item block, as the CPU engine's own cells draw them, and
/// WARP's rank estimate counts the whole catalogue. After each stratum every rank broadcasts the item block it
/// trained (factors, biases and their adagrad sums); the user blocks are gathered whenever the loop asks for the
/// parameters (<see cref="CopyTo"/>), so every rank assembles the same model.
/// </summary>
internal sealed class MpiPairwiseEngine : IPairwiseEngine
{
    private readonly PairwiseProblem _problem;
    private readonly MpiCommunicator _communicator;
    private readonly int _threads;
    private readonly int[] _userStarts;
    private readonly int[][] _itemBlocks;
    /// <summary>
    /// Slices each cell is cut into, run one slice of every stratum at a time: with whole cells a user's negatives
    /// come from one item block for a long run, which costs WARP precision as it did the CPU engine's whole-cell
    /// rounds (its <c>Sweeps</c>); bench/RESULTS.md ("BPR and WARP across MPI ranks") has the figures.
    /// </summary>
    private const int Sweeps = 8;

    private readonly Stratum[][] _strata;

    public MpiPairwiseEngine(PairwiseProblem problem, MpiCommunicator communicator, int threads)
    {
        if (problem.RestrictedNegatives is not null)
        {
            throw new NotSupportedException("The MPI pairwise engine draws every negative from its stratum's item block; a problem with restricted negatives runs on the managed CPU engine.");
        }
        _problem = problem;
        _communicator = communicator;
        _threads = threads;
        int size = communicator.Size;
        int rank = communicator.Rank;
        _userStarts = EvenBlocks.Bounds(problem.UserCount, size);
        // Items are hashed into blocks rather than cut in index order: indices follow first appearance, which follows
        // popularity, and a block of popular items alone would give BPR and WARP negatives of one popularity.
        var blockOf = new int[problem.ItemCount];
        for (int i = 0; i < blockOf.Length; i++)
        {
            blockOf[i] = (int)(XorShiftRandom.Mix((ulong)i ^ problem.Settings.Seed) % (ulong)size);
        }
        _itemBlocks = [.. Enumerable.Range(0, size).Select(b => Enumerable.Range(0, problem.ItemCount).Where(i => blockOf[i] == b).ToArray())];
        _strata = [.. Enumerable.Range(0, size).Select(s => Stratum.Of(problem, _userStarts[rank], _userStarts[rank + 1], _itemBlocks[(rank + s) % size]).Slices(size == 1 ? 1 : Sweeps))];
    }

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        var sums = new double[4];
        for (int sweep = 0; sweep < _strata[0].Length; sweep++)
        {
            for (int s = 0; s < _strata.Length; s++)
            {
                var stratum = _strata[s][sweep];
                var result = default(EpochResult);
                if (stratum.Users.Length > 0)
                {
                    // Each cell and slice draws from streams of its own: the CPU engine seeds them by (seed, epoch, its cells).
                    ulong stream = XorShiftRandom.Mix(_problem.Settings.Seed ^ ((((ulong)(uint)_communicator.Rank * 0x10001UL) + ((ulong)(uint)s * 0x101UL) + (ulong)(uint)sweep + 1) * 0x9E3779B97F4A7C15UL));
                    var local = stratum.Problem(_problem) with { Settings = _problem.Settings with { Seed = stream } };
                    using var engine = new PairwiseEngineFactory(local).ForManagedCpu(_threads);
                    result = engine.RunEpoch(epoch, learningRate, cancel);
                    engine.CopyTo(local);
                    stratum.WriteBack(local, _problem);
                }
                sums[0] += result.Loss;
                sums[1] += result.Samples;
                sums[2] += result.Hits;
                sums[3] += result.Trials;
                ShareItemBlocks(s);
            }
        }
        _communicator.SumInPlace(sums);
        return new EpochResult(sums[0], (long)sums[1], (long)sums[2], (long)sums[3]);
    }

    /// <summary>Given samples are the single-process engines' deterministic mode (kernel tests, self-tests); an MPI job has none.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public EpochResult RunGiven(PairwiseSamples samples, float learningRate) =>
        throw new NotSupportedException("Given samples run on one process's engine, not across MPI ranks.");

    public void CopyTo(PairwiseProblem target)
    {
        int k = _problem.Settings.Factors;
        _communicator.AllgatherRows(_problem.P, k, _userStarts);
        if (_problem.UserAccumulators is { } sums)
        {
            _communicator.AllgatherRows(sums, k, _userStarts);
        }
        if (!ReferenceEquals(target.P, _problem.P))
        {
            _problem.P.CopyTo(target.P, 0);
            _problem.Q.CopyTo(target.Q, 0);
            _problem.ItemBias.CopyTo(target.ItemBias, 0);
            _problem.UserAccumulators?.CopyTo(target.UserAccumulators!, 0);
            _problem.ItemAccumulators?.CopyTo(target.ItemAccumulators!, 0);
            _problem.BiasAccumulators?.CopyTo(target.BiasAccumulators!, 0);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>After stratum <paramref name="stratum"/>, each rank broadcasts the item block it trained: factors, biases and their adagrad sums.</summary>
    private void ShareItemBlocks(int stratum)
    {
        int size = _communicator.Size;
        int k = _problem.Settings.Factors;
        bool sums = _problem.ItemAccumulators is not null && _problem.BiasAccumulators is not null;
        int width = sums ? 2 * (k + 1) : k + 1;
        for (int root = 0; root < size; root++)
        {
            int[] items = _itemBlocks[(root + stratum) % size];
            if (items.Length == 0)
            {
                continue;
            }
            var buffer = new float[items.Length * width];
            bool mine = root == _communicator.Rank;
            if (mine)
            {
                for (int n = 0; n < items.Length; n++)
                {
                    Row(items[n], sums).CopyTo(buffer.AsSpan(n * width, width));
                }
            }
            _communicator.Broadcast(MemoryMarshal.AsBytes(buffer.AsSpan()), root);
            if (!mine)
            {
                for (int n = 0; n < items.Length; n++)
                {
                    SetRow(items[n], buffer.AsSpan(n * width, width), sums);
                }
            }
        }
    }

    /// <summary>Item <paramref name="i"/>'s factors, bias and (with <paramref name="sums"/>) their adagrad sums, in one row.</summary>
    private float[] Row(int i, bool sums)
    {
        int k = _problem.Settings.Factors;
        var row = new List<float>(2 * (k + 1));
        row.AddRange(_problem.Q.AsSpan(i * k, k));
        row.Add(_problem.ItemBias[i]);
        if (sums)
        {
            row.AddRange(_problem.ItemAccumulators.AsSpan(i * k, k));
            row.Add(_problem.BiasAccumulators![i]);
        }
        return [.. row];
    }

    private void SetRow(int i, ReadOnlySpan<float> row, bool sums)
    {
        int k = _problem.Settings.Factors;
        row[..k].CopyTo(_problem.Q.AsSpan(i * k, k));
        _problem.ItemBias[i] = row[k];
        if (sums)
        {
            row.Slice(k + 1, k).CopyTo(_problem.ItemAccumulators.AsSpan(i * k, k));
            _problem.BiasAccumulators![i] = row[(2 * k) + 1];
        }
    }

    /// <summary>
    /// One cell of the job's grid, in local indices: users [<see cref="FirstUser"/>, +UserCount) of the whole problem
    /// and the items of <see cref="BlockItems"/> (ascending), its positives and its users' observed items within the
    /// block, ascending.
    /// </summary>
    private sealed record Stratum(int FirstUser, int UserCount, int[] BlockItems, int[] Users, int[] Items, int[] SeenPtr, int[] SeenItems)
    {
        public static Stratum Of(PairwiseProblem problem, int firstUser, int endUser, int[] blockItems)
        {
            var local = new Dictionary<int, int>(blockItems.Length);
            for (int n = 0; n < blockItems.Length; n++)
            {
                local[blockItems[n]] = n;
            }
            var users = new List<int>();
            var items = new List<int>();
            for (int n = 0; n < problem.Positives; n++)
            {
                int u = problem.Users[n];
                if (u >= firstUser && u < endUser && local.TryGetValue(problem.Items[n], out int i))
                {
                    users.Add(u - firstUser);
                    items.Add(i);
                }
            }
            var seenPtr = new int[endUser - firstUser + 1];
            var seen = new List<int>();
            for (int u = firstUser; u < endUser; u++)
            {
                for (int n = problem.SeenPtr[u]; n < problem.SeenPtr[u + 1]; n++)
                {
                    if (local.TryGetValue(problem.SeenItems[n], out int i))
                    {
                        seen.Add(i);
                    }
                }
                seenPtr[u - firstUser + 1] = seen.Count;
            }
            return new Stratum(firstUser, endUser - firstUser, blockItems, [.. users], [.. items], seenPtr, [.. seen]);
        }

        /// <summary>
        /// The cell cut into <paramref name="count"/> slices of its positives, each positive in the slice its hash
        /// picks (the positives come grouped by user, and a user's are to be spread over the slices), each slice with
        /// the whole cell's observed items.
        /// </summary>
        public Stratum[] Slices(int count) =>
            [.. Enumerable.Range(0, count).Select(w =>
            {
                var picked = Enumerable.Range(0, Users.Length).Where(n => (int)(XorShiftRandom.Mix((ulong)(uint)n) % (ulong)count) == w).ToArray();
                return this with { Users = [.. picked.Select(n => Users[n])], Items = [.. picked.Select(n => Items[n])] };
            })];

        /// <summary>The cell's problem with the whole problem's current parameters of its blocks, copied.</summary>
        public PairwiseProblem Problem(PairwiseProblem whole)
        {
            int k = whole.Settings.Factors;
            float[]? UserRows(float[]? values) => values?.AsSpan(FirstUser * k, UserCount * k).ToArray();
            float[]? ItemRows(float[]? values, int width)
            {
                if (values is null)
                {
                    return null;
                }
                var rows = new float[BlockItems.Length * width];
                for (int n = 0; n < BlockItems.Length; n++)
                {
                    values.AsSpan(BlockItems[n] * width, width).CopyTo(rows.AsSpan(n * width, width));
                }
                return rows;
            }
            return new PairwiseProblem(
                UserCount,
                BlockItems.Length,
                Users,
                Items,
                SeenPtr,
                SeenItems,
                UserRows(whole.P)!,
                ItemRows(whole.Q, k)!,
                ItemRows(whole.ItemBias, 1)!,
                UserRows(whole.UserAccumulators),
                ItemRows(whole.ItemAccumulators, k),
                ItemRows(whole.BiasAccumulators, 1),
                whole.Settings)
            {
                Catalogue = whole.CatalogueItems,
            };
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
    }
}
