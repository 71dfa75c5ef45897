using System.Collections.Concurrent;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// ALS on the host: rows are independent within a half-iteration, so ranges of rows go to
/// <see cref="Parallel.ForEach{TSource, TLocal}(Partitioner{TSource}, ParallelOptions, Func{TLocal}, Func{TSource, ParallelLoopState, TLocal, TLocal}, Action{TLocal})"/>
/// workers, each with its own scratch; the per-row arithmetic is <see cref="AlsRowSolver"/>. Factors are
/// updated in place in the problem's arrays. The factors do not depend on the thread count. Cancellation
/// is checked before the Gram matrix and before each range of rows.
/// </summary>
internal sealed unsafe class CpuAlsEngine : IAlsEngine
{
    /// <summary>Fewest rows per block of the Gram sum: enough to amortise a block's k × k partial.</summary>
    private const int MinGramBlock = 1024;

    private readonly AlsProblem _problem;
    private readonly int _threads;
    private readonly float[] _gram;

    public AlsProblem Problem => _problem;

    public CpuAlsEngine(AlsProblem problem, int threads)
    {
        _problem = problem;
        _threads = Math.Max(1, threads);
        int k = problem.Options.Factors;
        _gram = new float[k * k];
    }

    private delegate double RowBody(int row, float* scratch);

    public double Solve(AlsSide side, CancellationCheck cancel = default) => Solve(side, 0, _problem.Of(side).Rows, cancel);

    /// <summary>
    /// As <see cref="Solve(AlsSide, CancellationCheck)"/> for the rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of
    /// <paramref name="side"/> alone (the Gram matrix is still the whole other side's); returns their Σ|row|².
    /// Each row's result is the same as in a solve of every row.
    /// </summary>
    internal double Solve(AlsSide side, int firstRow, int endRow, CancellationCheck cancel)
    {
        var s = _problem.Of(side);
        var o = _problem.Options;
        int k = o.Factors;
        cancel.ThrowIfRequested();
        Gram(s.Other, s.OtherRows, k, o.Regularization, _gram, _threads);
        bool cg = o.Solver == AlsSolver.ConjugateGradient;
        int scratch = cg ? 3 * k + LongestRow(s.Ptr) : k * k + 2 * k;
        fixed (float* gram = _gram, other = s.Other, factors = s.Factors)
        fixed (int* idx = s.Idx)
        fixed (float* conf = s.Confidence)
        {
            float* g = gram, y = other, xs = factors, c = conf;
            int* ix = idx;
            int[] ptr = s.Ptr;
            int steps = o.CgSteps;
            return SumRows(firstRow, endRow, scratch, cancel, (row, w) =>
            {
                int first = ptr[row];
                int n = ptr[row + 1] - first;
                float* x = xs + (long)row * k;
                if (cg)
                {
                    AlsRowSolver.ConjugateGradient(g, y, ix + first, c + first, n, x, k, steps, w, w + k, w + 2 * k, w + 3 * k);
                }
                else
                {
                    AlsRowSolver.Cholesky(g, y, ix + first, c + first, n, x, k, w, w + (long)k * k, w + (long)k * k + k);
                }
                return AlsRowSolver.SquaredNorm(x, k);
            });
        }
    }

    public double LossTerm() => LossTerm(0, _problem.UserCount);

    /// <summary>The users [<paramref name="first"/>, <paramref name="end"/>)'s share of <see cref="LossTerm()"/>.</summary>
    internal double LossTerm(int first, int end)
    {
        var s = _problem.Of(AlsSide.Users);
        int k = _problem.Options.Factors;
        Gram(s.Other, s.OtherRows, k, _problem.Options.Regularization, _gram, _threads);
        fixed (float* gram = _gram, other = s.Other, factors = s.Factors)
        fixed (int* idx = s.Idx)
        fixed (float* conf = s.Confidence)
        {
            float* g = gram, y = other, xs = factors, c = conf;
            int* ix = idx;
            int[] ptr = s.Ptr;
            return SumRows(first, end, k + LongestRow(ptr), default, (row, w) =>
                AlsRowSolver.LossTerm(g, y, ix + ptr[row], c + ptr[row], ptr[row + 1] - ptr[row], xs + (long)row * k, k, w, w + k));
        }
    }

    public void CopyTo(float[] userFactors, float[] itemFactors)
    {
        if (!ReferenceEquals(userFactors, _problem.UserFactors))
        {
            _problem.UserFactors.CopyTo(userFactors, 0);
            _problem.ItemFactors.CopyTo(itemFactors, 0);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>
    /// Writes FᵀF + λI of the row-major rows × k matrix <paramref name="factors"/> into <paramref name="gram"/>.
    /// Rows are cut into a number of blocks that depends only on the shape (at most 64, and at most 16 MiB
    /// of partials); each block sums four rank-1 updates per pass into the upper triangle of its own float partial, and the
    /// partials are added in block order in double, so the result does not depend on the thread count.
    /// </summary>
    internal static void Gram(float[] factors, int rows, int k, float lambda, float[] gram, int threads)
    {
        int maxBlocks = Math.Clamp((1 << 22) / (k * k), 1, 64);
        int blocks = Math.Clamp((rows + MinGramBlock - 1) / MinGramBlock, 1, maxBlocks);
        int per = (rows + blocks - 1) / blocks;
        var partials = new float[blocks][];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, block =>
        {
            var partial = new float[k * k];
            int start = Math.Min(rows, block * per);
            int end = Math.Min(rows, start + per);
            fixed (float* f = factors, a = partial)
            {
                int r = start;
                for (; r + 4 <= end; r += 4)
                {
                    float* y = f + (long)r * k;
                    AlsRowSolver.AddOuterProducts(a, k, y, y + k, y + 2 * k, y + 3 * k, 1f, 1f, 1f, 1f);
                }
                for (; r < end; r++)
                {
                    float* y = f + (long)r * k;
                    AlsRowSolver.AddOuterProducts(a, k, y, y, y, y, 1f, 0f, 0f, 0f);
                }
            }
            partials[block] = partial;
        });
        for (int r = 0; r < k; r++)
        {
            for (int c = 0; c <= r; c++)
            {
                double sum = r == c ? lambda : 0;
                foreach (var partial in partials)
                {
                    sum += partial[c * k + r];
                }
                gram[r * k + c] = (float)sum;
                gram[c * k + r] = (float)sum;
            }
        }
    }

    private static int LongestRow(int[] ptr)
    {
        int longest = 0;
        for (int r = 0; r + 1 < ptr.Length; r++)
        {
            longest = Math.Max(longest, ptr[r + 1] - ptr[r]);
        }
        return longest;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every row of [<paramref name="first"/>, <paramref name="end"/>) on the worker threads, each worker with <paramref name="scratch"/>
    /// floats of its own; returns the sum of the results. Each range of rows is a cancellation check point.
    /// </summary>
    private double SumRows(int first, int end, int scratch, CancellationCheck cancel, RowBody body)
    {
        int rows = end - first;
        if (rows <= 0)
        {
            return 0;
        }
        double total = 0;
        var gate = new object();
        int range = Math.Clamp(rows / (_threads * 16), 1, 256);
        Parallel.ForEach(Partitioner.Create(first, end, range), new ParallelOptions { MaxDegreeOfParallelism = _threads }, () => (Scratch: new float[scratch], Sum: 0.0), (span, state, local) =>
        {
            if (cancel.Requested())
            {
                state.Stop();
                return local;
            }
            fixed (float* w = local.Scratch)
            {
                for (int row = span.Item1; row < span.Item2; row++)
                {
                    local.Sum += body(row, w);
                }
            }
            return local;
        }, local =>
        {
            lock (gate)
            {
                total += local.Sum;
            }
        });
        cancel.ThrowIfCancelled();
        return total;
    }
}
