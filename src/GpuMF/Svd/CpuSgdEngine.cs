using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// SGD on the host. Users and items are hashed into T blocks each (T = threads), and ratings into the
/// T × T grid of (user block, item block) cells. An epoch runs T rounds; in round s thread t takes cell
/// (t, (t + s) mod T), so no two threads ever touch the same user or item: no races, no locks, and
/// the same result for the same seed and thread count. Within a cell ratings are visited in the
/// epoch's affine order. The problem's rating arrays are regrouped by cell in place. Cancellation is
/// checked before each round and every <see cref="CheckEvery"/> ratings of a cell.
/// </summary>
internal sealed unsafe class CpuSgdEngine : ISgdEngine
{
    /// <summary>Ratings of a cell between cancellation checks (a power of two): well under a millisecond of work.</summary>
    private const int CheckEvery = 4096;

    private readonly SgdProblem _problem;
    private readonly int _threads;
    private readonly int[] _cellStart;
    private readonly int[] _users;
    private readonly int[] _items;
    private readonly float[] _ratings;

    public CpuSgdEngine(SgdProblem problem, int threads)
    {
        _problem = problem;
        _threads = Math.Max(1, threads);
        int t = _threads;
        ulong seed = problem.Options.Seed;
        _cellStart = new int[t * t + 1];
        int Cell(int user, int item) =>
            (int)(XorShiftRandom.Mix((ulong)user ^ seed) % (ulong)t) * t + (int)(XorShiftRandom.Mix((ulong)item ^ ~seed) % (ulong)t);
        _users = problem.Users;
        _items = problem.Items;
        _ratings = problem.Ratings;
        for (int k = 0; k < _ratings.Length; k++)
        {
            _cellStart[Cell(_users[k], _items[k]) + 1]++;
        }
        for (int c = 0; c < t * t; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }
        // Regrouped in place (American flag sort) rather than copied: a second copy of the ratings would be
        // a third of training's peak memory at 100M ratings.
        var next = _cellStart[..^1].ToArray();
        for (int c = 0; c < t * t; c++)
        {
            while (next[c] < _cellStart[c + 1])
            {
                int k = next[c];
                int d = Cell(_users[k], _items[k]);
                if (d == c)
                {
                    next[c]++;
                    continue;
                }
                int j = next[d]++;
                (_users[k], _users[j]) = (_users[j], _users[k]);
                (_items[k], _items[j]) = (_items[j], _items[k]);
                (_ratings[k], _ratings[j]) = (_ratings[j], _ratings[k]);
            }
        }
    }

    public EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default)
    {
        int t = _threads;
        double total = 0;
        var partial = new double[t];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = t };
        for (int round = 0; round < t; round++)
        {
            cancel.ThrowIfRequested();
            Parallel.For(0, t, parallel, block =>
            {
                int cell = block * t + (block + round) % t;
                partial[block] = RunCell(cell, epoch, learningRate, cancel);
            });
            cancel.ThrowIfCancelled();
            foreach (double p in partial)
            {
                total += p;
            }
        }
        return new EpochResult(total, _problem.Ratings.Length);
    }

    public void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        _problem.CopyParametersTo(p, q, userBias, itemBias);
    }

    public void Dispose()
    {
    }

    private double RunCell(int cell, int epoch, float lr, CancellationCheck cancel)
    {
        int start = _cellStart[cell];
        int n = _cellStart[cell + 1] - start;
        if (n == 0)
        {
            return 0;
        }
        var order = AffinePermutation.Random(n, _problem.Options.Seed, epoch, cell);
        int k = _problem.Options.Factors;
        float reg = _problem.Options.Regularization;
        float breg = _problem.Options.BiasRegularization;
        float mean = _problem.Mean;
        double sq = 0;
        long a = order.A, idx = order.B;
        fixed (float* p = _problem.P, q = _problem.Q, bu = _problem.UserBias, bi = _problem.ItemBias)
        {
            for (int step = 0; step < n; step++)
            {
                if ((step & (CheckEvery - 1)) == 0 && step > 0 && cancel.Requested())
                {
                    break;
                }
                int at = start + (int)idx;
                idx += a;
                if (idx >= n)
                {
                    idx %= n;
                }
                int u = _users[at];
                int i = _items[at];
                float* pu = p + (long)u * k;
                float* qi = q + (long)i * k;
                float err = _ratings[at] - (mean + bu[u] + bi[i] + Dot(pu, qi, k));
                Update(pu, qi, k, err, lr, reg);
                bu[u] += lr * (err - breg * bu[u]);
                bi[i] += lr * (err - breg * bi[i]);
                sq += err * err;
            }
        }
        return sq;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(float* a, float* b, int k)
    {
        int f = 0;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && k >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; f <= k - 16; f += 16)
            {
                acc += Vector512.Load(a + f) * Vector512.Load(b + f);
            }
            sum = Vector512.Sum(acc);
        }
        if (f <= k - 8)
        {
            var acc = Vector256<float>.Zero;
            for (; f <= k - 8; f += 8)
            {
                acc += Vector256.Load(a + f) * Vector256.Load(b + f);
            }
            sum += Vector256.Sum(acc);
        }
        for (; f < k; f++)
        {
            sum += a[f] * b[f];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* pu, float* qi, int k, float err, float lr, float reg)
    {
        int f = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vErr = Vector512.Create(err);
            var vLr = Vector512.Create(lr);
            var vReg = Vector512.Create(reg);
            for (; f <= k - 16; f += 16)
            {
                var pf = Vector512.Load(pu + f);
                var qf = Vector512.Load(qi + f);
                (pf + vLr * (vErr * qf - vReg * pf)).Store(pu + f);
                (qf + vLr * (vErr * pf - vReg * qf)).Store(qi + f);
            }
        }
        var err8 = Vector256.Create(err);
        var lr8 = Vector256.Create(lr);
        var reg8 = Vector256.Create(reg);
        for (; f <= k - 8; f += 8)
        {
            var pf = Vector256.Load(pu + f);
            var qf = Vector256.Load(qi + f);
            (pf + lr8 * (err8 * qf - reg8 * pf)).Store(pu + f);
            (qf + lr8 * (err8 * pf - reg8 * qf)).Store(qi + f);
        }
        for (; f < k; f++)
        {
            float pf = pu[f], qf = qi[f];
            pu[f] = pf + lr * (err * qf - reg * pf);
            qi[f] = qf + lr * (err * pf - reg * qf);
        }
    }
}
