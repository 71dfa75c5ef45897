using System.Runtime.CompilerServices;
using GpuMF.Kernels;

namespace GpuMF.Training;

/// <summary>
/// BPR on the managed CPU backend: each cell draws (u, i) uniformly among its pairs and j uniformly in
/// its item block (redrawn while observed, when asked), then takes the SIMD step of
/// <see cref="PairwiseVectorMath"/> with weight σ(−x), x = p_u·(q_i − q_j) + b_i − b_j — the kernel's
/// <see cref="BprKernels.Epoch"/> sample for sample when there is one thread.
/// </summary>
internal sealed unsafe class CpuBprEngine(PairwiseProblem problem, int threads) : CpuPairwiseEngine(problem, threads)
{
    public override PairwiseEpochStats RunGiven(PairwiseSamples samples, float learningRate)
    {
        samples.Validate(Problem.UserCount, Problem.ItemCount);
        var stats = default(PairwiseEpochStats);
        for (int s = 0; s < samples.Count; s++)
        {
            stats += Step(samples.Users[s], samples.Positives[s], samples.Negatives[s * samples.NegativesPerSample], learningRate, 1);
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override PairwiseEpochStats RunCell(int cell, int epoch, float learningRate)
    {
        int count = CellCount[cell];
        if (count == 0)
        {
            return default;
        }
        int* pairs = CellPairs + 2L * CellStart[cell];
        int itemBlock = cell % Threads;
        int* block = ItemBlockItems + ItemBlockStart[itemBlock];
        int blockSize = ItemBlockStart[itemBlock + 1] - ItemBlockStart[itemBlock];
        bool reject = Settings.RejectObserved;
        var rng = PairwiseSgd.Stream(Settings.Seed, epoch, cell);
        var stats = default(PairwiseEpochStats);
        for (int n = 0; n < count; n++)
        {
            int* pair = pairs + 2L * rng.NextInt(count);
            int u = pair[0];
            int j = block[rng.NextInt(blockSize)];
            int draws = 1;
            if (reject)
            {
                while (Seen(u, j) && draws < BprKernels.MaxNegativeDraws)
                {
                    j = block[rng.NextInt(blockSize)];
                    draws++;
                }
                if (draws == BprKernels.MaxNegativeDraws && Seen(u, j))
                {
                    stats += new PairwiseEpochStats(0, 1, 0, draws);
                    continue;
                }
            }
            stats += Step(u, pair[1], j, learningRate, draws);
        }
        return stats;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PairwiseEpochStats Step(int u, int i, int j, float lr, int draws)
    {
        int k = Settings.Factors;
        float reg = Settings.Regularization;
        float* pu = P + (long)u * k;
        float* qi = Q + (long)i * k;
        float* qj = Q + (long)j * k;
        float x = (Settings.ItemBias ? Bias[i] - Bias[j] : 0f) + PairwiseVectorMath.DiffDot(pu, qi, qj, k);
        float z = 1f / (1f + MathF.Exp(x));
        if (GP == null)
        {
            PairwiseVectorMath.Update(pu, qi, qj, null, null, null, k, z, lr, reg);
        }
        else
        {
            PairwiseVectorMath.Update(pu, qi, qj, GP + (long)u * k, GQ + (long)i * k, GQ + (long)j * k, k, z, lr, reg);
        }
        if (Settings.ItemBias)
        {
            PairwiseVectorMath.UpdateBiases(Bias, GB, i, j, z, lr, reg);
        }
        return new PairwiseEpochStats(PairwiseSgd.SoftplusOfNegative(x), 1, x > 0f ? 1 : 0, draws);
    }
}
