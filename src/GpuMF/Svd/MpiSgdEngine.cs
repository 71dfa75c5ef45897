using System.Runtime.InteropServices;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// SVD's SGD across the ranks of an MPI job by stratified SGD (Gemulla, Nijkamp, Haas, Sismanis, "Large-scale
/// matrix factorization with distributed stochastic gradient descent", KDD 2011). Users and items are cut into N
/// contiguous blocks (N ranks); rank r owns user block r. An epoch runs N strata: in stratum s rank r trains the
/// ratings of cell (r, (r + s) mod N) with the managed CPU engine (its own threads and block schedule), so no two
/// ranks touch the same user or item row; then every rank sends the item block it trained, factors and biases, to
/// all the others (one broadcast per rank). The user blocks travel once, whenever the loop asks for the parameters
/// (<see cref="CopyTo"/>: validation, checkpoints, the end), so every rank assembles the same model. Every rank reads
/// the same ratings; the model differs from one process's only as SGD's order differs.
/// </summary>
internal sealed class MpiSgdEngine : ISgdEngine
{
    private readonly SgdProblem _problem;
    private readonly MpiCommunicator _communicator;
    private readonly int[] _userStarts;
    private readonly int[] _itemStarts;
    private readonly CpuSgdEngine[] _strata;

    public MpiSgdEngine(SgdProblem problem, MpiCommunicator communicator, int threads)
    {
        _problem = problem;
        _communicator = communicator;
        int size = communicator.Size;
        int rank = communicator.Rank;
        var grid = new SgdGrid(problem, size);
        _userStarts = grid.UserStarts;
        _itemStarts = grid.ItemStarts;
        _strata = [.. Enumerable.Range(0, size).Select(s => new CpuSgdEngine(grid.Shared(rank, (rank + s) % size), threads))];
    }

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        var sums = new double[2];
        for (int s = 0; s < _strata.Length; s++)
        {
            var result = _strata[s].RunEpoch(epoch, learningRate, cancel);
            sums[0] += result.Loss;
            sums[1] += result.Samples;
            ShareItemBlocks(s);
        }
        _communicator.SumInPlace(sums);
        return new EpochResult(sums[0], (long)sums[1]);
    }

    public void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        _communicator.AllgatherRows(_problem.P, _problem.Options.Factors, _userStarts);
        _communicator.AllgatherRows(_problem.UserBias, 1, _userStarts);
        _problem.CopyParametersTo(p, q, userBias, itemBias);
    }

    public void Dispose()
    {
        foreach (var stratum in _strata)
        {
            stratum.Dispose();
        }
    }

    /// <summary>After stratum <paramref name="stratum"/>, each rank broadcasts the item block it trained: the rows' factors, then their biases.</summary>
    private void ShareItemBlocks(int stratum)
    {
        int size = _communicator.Size;
        int k = _problem.Options.Factors;
        for (int root = 0; root < size; root++)
        {
            int block = (root + stratum) % size;
            int first = _itemStarts[block], rows = _itemStarts[block + 1] - first;
            if (rows == 0)
            {
                continue;
            }
            var buffer = new byte[((long)rows * k + rows) * sizeof(float)];
            var factors = _problem.Q.AsSpan(first * k, rows * k);
            var biases = _problem.ItemBias.AsSpan(first, rows);
            int split = rows * k * sizeof(float);
            if (root == _communicator.Rank)
            {
                MemoryMarshal.AsBytes(factors).CopyTo(buffer);
                MemoryMarshal.AsBytes(biases).CopyTo(buffer.AsSpan(split));
            }
            _communicator.Broadcast(buffer, root);
            if (root != _communicator.Rank)
            {
                MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, split)).CopyTo(factors);
                MemoryMarshal.Cast<byte, float>(buffer.AsSpan(split)).CopyTo(biases);
            }
        }
    }
}
