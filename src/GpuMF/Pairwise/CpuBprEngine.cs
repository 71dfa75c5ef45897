using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR on the managed CPU backend: each cell takes its pairs in the epoch's random order, draws j
/// uniformly in its item block (a restricted pair in the block's part of the problem's restricted range,
/// <see cref="PairwiseProblem.RestrictedNegatives"/>; redrawn while observed, when asked), then takes the SIMD step of
/// <see cref="PairwiseVectorMath"/> with weight σ(−x), x = p_u·(q_i − q_j) + b_i − b_j — the kernel's
/// <see cref="BprKernels.Epoch"/> sample for sample when there is one thread.
/// </summary>
internal sealed unsafe class CpuBprEngine(PairwiseProblem problem, int threads) : CpuPairwiseEngine(problem, threads)
{
    public override EpochResult RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        var stats = default(EpochResult);
        for (int s = 0; s < samples.Count; s++)
        {
            stats += Step(samples.Users[s], samples.Positives[s], samples.Negatives[s * samples.NegativesPerSample], learningRate, 1);
        }
        return stats;
    }

    /// <summary>
    /// The cell's pairs front to back, in two stages <see cref="CpuPairwiseEngine.Ahead"/> pairs apart: the first
    /// settles a pair's negative (the draws keep the kernel's order, since they depend on the observed items only,
    /// never on the model) and asks for the rows the step will read, the second takes the step, by which time
    /// those rows are in cache. A pair's first draw is made as soon as the pair before it is settled, and the
    /// word its observed check reads is prefetched, so that this miss too overlaps a step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunCell(Cell cell, ref XorShiftRandom rng, float learningRate, CancellationCheck cancel)
    {
        int count = cell.Count;
        var stats = default(EpochResult);
        // Slot m mod Ahead: pair m's negative and its draws, negated when no unobserved one was found.
        int* settled = stackalloc int[2 * Ahead];
        for (int m = 0; m < Math.Min(Ahead, count); m++)
        {
            PrefetchSeenRow(cell.User(m));
        }
        int nextJ = cell.Draw(0, ref rng);
        PrefetchSeen(cell.User(0), nextJ);
        for (int m = 0; m < Math.Min(Ahead, count); m++)
        {
            Settle(cell, m, settled, ref rng, ref nextJ);
        }
        for (int n = 0; n < count; n++)
        {
            if (Stop(n, cancel))
            {
                break;
            }
            int slot = 2 * (n & (Ahead - 1));
            int j = settled[slot];
            int draws = settled[slot + 1];
            if (n + Ahead < count)
            {
                Settle(cell, n + Ahead, settled, ref rng, ref nextJ);
            }
            stats += draws < 0 ? new EpochResult(0, 1, 0, -draws) : Step(cell.User(n), cell.Positive(n), j, learningRate, draws);
        }
        return stats;
    }

    /// <summary>
    /// Draws pair <paramref name="m"/>'s negative, starting from <paramref name="nextJ"/> and redrawing while
    /// observed (when asked), into its slot of <paramref name="settled"/>; then draws the next pair's first
    /// candidate into <paramref name="nextJ"/> and asks for what the step and the next checks will read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Settle(Cell cell, int m, int* settled, ref XorShiftRandom rng, ref int nextJ)
    {
        int u = cell.User(m);
        int j = nextJ;
        int draws = 1;
        if (Settings.RejectObserved)
        {
            while (Seen(u, j) && draws < BprKernels.MaxNegativeDraws)
            {
                j = cell.Draw(m, ref rng);
                draws++;
            }
            if (draws == BprKernels.MaxNegativeDraws && Seen(u, j))
            {
                draws = -draws;
            }
        }
        if (m + 1 < cell.Count)
        {
            nextJ = cell.Draw(m + 1, ref rng);
            PrefetchSeen(cell.User(m + 1), nextJ);
        }
        if (m + Ahead < cell.Count)
        {
            PrefetchSeenRow(cell.User(m + Ahead));
        }
        int slot = 2 * (m & (Ahead - 1));
        settled[slot] = j;
        settled[slot + 1] = draws;
        PrefetchUser(u);
        PrefetchItem(cell.Positive(m), Adagrad);
        PrefetchItem(j, Adagrad);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Step(int u, int i, int j, float lr, int draws)
    {
        int k = Settings.Factors;
        float reg = Settings.Regularization;
        float* pu = UserRow(u);
        float* qi = ItemRow(i);
        float* qj = ItemRow(j);
        float* bi = qi + Stride;
        float* bj = qj + Stride;
        float x = (Settings.ItemBias ? bi[0] - bj[0] : 0f) + PairwiseVectorMath.DiffDot(pu, qi, qj, k);
        float z = 1f / (1f + MathF.Exp(x));
        if (Adagrad)
        {
            PairwiseVectorMath.Update(pu, qi, qj, pu + Stride, ItemSums(i), ItemSums(j), k, z, lr, reg);
        }
        else
        {
            PairwiseVectorMath.Update(pu, qi, qj, null, null, null, k, z, lr, reg);
        }
        if (Settings.ItemBias)
        {
            PairwiseVectorMath.UpdateBiases(bi, bj, Adagrad, z, lr, reg);
        }
        return new EpochResult(PairwiseSgd.SoftplusOfNegative(x), 1, x > 0f ? 1 : 0, draws);
    }
}
