using System.Runtime.CompilerServices;
using GpuMF.Kernels.Pairwise;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// WARP on the managed CPU backend: each cell visits its pairs once, in the epoch's random order; for
/// each, candidates t = 0, 1, … are drawn in its item block (a restricted pair's in the block's part of the problem's
/// restricted range, <see cref="PairwiseProblem.RestrictedNegatives"/>, its rank estimate counting that range's items
/// as the catalogue) from the sample's key until one violates
/// the margin and is not observed, or MaxSampled are drawn — the kernel's <see cref="WarpLossKernels.Epoch"/>
/// sample for sample when there is one thread.
/// </summary>
internal sealed unsafe class CpuWarpEngine(PairwiseProblem problem, int threads) : CpuPairwiseEngine(problem, threads)
{
    public override EpochResult RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        if (samples.NegativesPerSample != Settings.MaxSampled)
        {
            throw new ArgumentException($"WARP's given samples need MaxSampled = {Settings.MaxSampled} candidates each; they hold {samples.NegativesPerSample}.", nameof(samples));
        }
        var stats = default(EpochResult);
        fixed (int* negatives = samples.Negatives)
        {
            for (int s = 0; s < samples.Count; s++)
            {
                stats += Step(samples.Users[s], samples.Positives[s], 0, negatives + (long)s * samples.NegativesPerSample, null, 0, Problem.CatalogueItems, learningRate);
            }
        }
        return stats;
    }

    /// <summary>
    /// The cell's pairs front to back. A pair's key is its one draw from the cell's stream, so keys can be drawn
    /// <see cref="CpuPairwiseEngine.Ahead"/> pairs early in the kernel's order; the rows of that pair's user, its
    /// positive and its first <see cref="PrefetchedCandidates"/> candidates are asked for then, so that the step finds
    /// them in cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override EpochResult RunCell(Cell cell, ref XorShiftRandom rng, float learningRate, CancellationCheck cancel)
    {
        int count = cell.Count;
        var stats = default(EpochResult);
        ulong* keys = stackalloc ulong[Ahead];
        for (int m = 0; m < Math.Min(2 * Ahead, count); m++)
        {
            PrefetchSeenRow(cell.User(m));
        }
        for (int m = 0; m < Math.Min(Ahead, count); m++)
        {
            keys[m] = rng.NextULong();
            PrefetchPair(cell, m, keys[m]);
        }
        for (int n = 0; n < count; n++)
        {
            if (Stop(n, cancel))
            {
                break;
            }
            ulong key = keys[n & (Ahead - 1)];
            int m = n + Ahead;
            if (m < count)
            {
                keys[m & (Ahead - 1)] = rng.NextULong();
                PrefetchPair(cell, m, keys[m & (Ahead - 1)]);
                if (m + Ahead < count)
                {
                    PrefetchSeenRow(cell.User(m + Ahead));
                }
            }
            stats += cell.IsRestricted(n)
                ? Step(cell.User(n), cell.Positive(n), key, null, cell.Range, cell.RangeSize, cell.RangeCatalogue, learningRate)
                : Step(cell.User(n), cell.Positive(n), key, null, cell.Block, cell.BlockSize, Problem.CatalogueItems, learningRate);
        }
        return stats;
    }

    /// <summary>Candidates whose rows are asked for ahead of a step: most steps end within a few (5.9 on average in the first epochs of the 10M bench).</summary>
    private const int PrefetchedCandidates = 4;

    /// <summary>Asks for the rows pair <paramref name="m"/> of the cell will read first, its key being <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchPair(Cell cell, int m, ulong key)
    {
        if (!Prefetching)
        {
            return;
        }
        PrefetchUser(cell.User(m));
        PrefetchItem(cell.Positive(m), Adagrad);
        bool restricted = cell.IsRestricted(m);
        int* block = restricted ? cell.Range : cell.Block;
        int blockSize = restricted ? cell.RangeSize : cell.BlockSize;
        for (int t = 0; t < Math.Min(PrefetchedCandidates, Settings.MaxSampled); t++)
        {
            PrefetchItem(block[PairwiseSgd.Candidate(key, t, blockSize)], false);
        }
    }

    /// <summary>
    /// One positive: candidates come from <paramref name="given"/> when it is set, else from <paramref name="key"/> within
    /// the block; the rank estimate is ⌊(<paramref name="catalogue"/> − 1)/trials⌋.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private EpochResult Step(int u, int i, ulong key, int* given, int* block, int blockSize, int catalogue, float lr)
    {
        int k = Settings.Factors;
        int m = Settings.MaxSampled;
        bool useBias = Settings.ItemBias;
        float* pu = UserRow(u);
        float* qi = ItemRow(i);
        float* bi = qi + Stride;
        float threshold = (useBias ? bi[0] : 0f) + PairwiseVectorMath.Dot(pu, qi, k) - WarpLossKernels.Margin;
        for (int t = 0; t < m; t++)
        {
            int j = given != null ? given[t] : block[PairwiseSgd.Candidate(key, t, blockSize)];
            float* qj = ItemRow(j);
            float* bj = qj + Stride;
            float score = (useBias ? bj[0] : 0f) + PairwiseVectorMath.Dot(pu, qj, k);
            if (score > threshold && !Seen(u, j))
            {
                int trials = t + 1;
                float weight = PairwiseSgd.RankWeight((catalogue - 1) / trials);
                if (Adagrad)
                {
                    PairwiseVectorMath.Update(pu, qi, qj, pu + Stride, ItemSums(i), ItemSums(j), k, weight, lr, Settings.Regularization);
                }
                else
                {
                    PairwiseVectorMath.Update(pu, qi, qj, null, null, null, k, weight, lr, Settings.Regularization);
                }
                if (useBias)
                {
                    PairwiseVectorMath.UpdateBiases(bi, bj, Adagrad, weight, lr, Settings.Regularization);
                }
                return new EpochResult(weight * (score - threshold), 1, 1, trials);
            }
        }
        return new EpochResult(0, 1, 0, m);
    }
}
