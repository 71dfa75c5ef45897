using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR or WARP across the ranks of an MPI job by stratified SGD (Gemulla et al., KDD 2011), as
/// <c>MpiSgdEngine</c> does for SVD: users are cut into N contiguous blocks (N ranks) and items hashed into N blocks,
/// rank r owns user block r, and an epoch runs N strata, rank r training cell (r, (r + s) mod N) with the managed CPU engine on a
/// problem of that cell alone (its positives, its users' observed items within the block, the blocks' parameters
/// and adagrad sums), so negatives come from the cell's item block, as the CPU engine's own cells draw them, and
/// WARP's rank estimate counts the whole catalogue. After each stratum every rank passes the item block it trained
/// (factors, biases and their adagrad sums) to the rank that trains it next (<see cref="BlockRing"/>); the user and
/// item blocks reach every rank whenever the loop asks for the parameters (<see cref="CopyTo"/>), so every rank
/// assembles the same model.
/// </summary>
internal sealed class MpiPairwiseEngine : IPairwiseEngine
{
    private readonly PairwiseProblem _problem;
    private readonly MpiCommunicator _communicator;
    private readonly int _threads;
    private readonly int[] _userStarts;
    private readonly BlockRing _items;
    private readonly PairwiseStratum[][] _strata;

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
        var itemBlocks = PairwiseStratum.ItemBlocks(problem, size);
        _items = new BlockRing(communicator, itemBlocks, problem.Settings.Factors, problem.Q, problem.ItemBias, problem.ItemAccumulators, problem.BiasAccumulators);
        var row = PairwiseStratum.Row(problem, _userStarts[rank], _userStarts[rank + 1], itemBlocks);
        _strata = [.. Enumerable.Range(0, size).Select(s => row[_items.BlockOf(s)].Slices(size == 1 ? 1 : PairwiseStratum.Sweeps))];
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
                    var local = stratum.Problem(_problem, PairwiseStratum.Seed(_problem.Settings, (_communicator.Rank * 0x10001) + (s * 0x101) + sweep));
                    using var engine = new PairwiseEngineFactory(local).ForManagedCpu(_threads);
                    result = engine.RunEpoch(epoch, learningRate, cancel);
                    engine.CopyTo(local);
                    stratum.WriteBack(local, _problem);
                }
                sums[0] += result.Loss;
                sums[1] += result.Samples;
                sums[2] += result.Hits;
                sums[3] += result.Trials;
                _items.Pass(s);
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
        _items.Gather(0);
        _problem.CopyParametersTo(target);
    }

    public void Dispose()
    {
    }
}
