using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// ALS over the ranks of an MPI job, each rank on the managed CPU backend with the whole problem and both full
/// factor matrices. A half-iteration: every rank computes the Gram matrix of the other side from its own full
/// copy (the same bits on every rank, since the copies are identical and the sum's order depends only on the
/// shape), solves its contiguous range of rows, and the ranges are allgathered in place, after which every
/// copy is whole again. Each row is solved exactly as one process solves it, so the factors are bit-identical
/// to a single-process run. (Allreducing partial Grams of each rank's own rows instead would save computing
/// the Gram on every rank but would change its summation order with the rank count, and with it the bits.)
/// Row ranges are cut so that ranks get equal work: a row weighs its interactions plus k, the fixed cost of a
/// row's k × k step measured in interaction-sized steps of k.
/// </summary>
internal sealed class MpiAlsEngine : IAlsEngine
{
    private readonly CpuAlsEngine _local;
    private readonly MpiCommunicator _communicator;
    private readonly int[] _userBounds;
    private readonly int[] _itemBounds;

    public MpiAlsEngine(AlsProblem problem, int threads, MpiCommunicator communicator)
    {
        _local = new CpuAlsEngine(problem, threads);
        _communicator = communicator;
        int k = problem.Options.Factors;
        _userBounds = Bounds(problem.UserPtr, problem.UserCount, k, communicator.Size);
        _itemBounds = Bounds(problem.ItemPtr, problem.ItemCount, k, communicator.Size);
    }

    public AlsProblem Problem => _local.Problem;

    public double Solve(AlsSide side, CancellationCheck cancel = default)
    {
        var bounds = side == AlsSide.Users ? _userBounds : _itemBounds;
        int rank = _communicator.Rank;
        Span<double> norm = [_local.Solve(side, bounds[rank], bounds[rank + 1], cancel)];
        _communicator.AllgatherRows(Problem.Of(side).Factors, Problem.Options.Factors, bounds);
        _communicator.SumInPlace(norm);
        return norm[0];
    }

    public double LossTerm()
    {
        Span<double> loss = [_local.LossTerm(_userBounds[_communicator.Rank], _userBounds[_communicator.Rank + 1])];
        _communicator.SumInPlace(loss);
        return loss[0];
    }

    public void CopyTo(float[] userFactors, float[] itemFactors) => _local.CopyTo(userFactors, itemFactors);

    public void Dispose() => _local.Dispose();

    /// <summary>
    /// Size + 1 row bounds cutting the rows of a CSR side into contiguous ranges of near-equal weight, a row weighing
    /// its interactions plus <paramref name="k"/>: rank r's range starts at the first row whose preceding weight
    /// reaches r / size of the total.
    /// </summary>
    internal static int[] Bounds(int[] ptr, int rows, int k, int size)
    {
        var bounds = new int[size + 1];
        double total = ptr[rows] + (double)rows * k;
        int row = 0;
        for (int r = 1; r < size; r++)
        {
            double target = total * r / size;
            while (row < rows && ptr[row] + (double)row * k < target)
            {
                row++;
            }
            bounds[r] = row;
        }
        bounds[size] = rows;
        return bounds;
    }
}
