using GpuMF.Kernels.Sampling;
using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// What the BPR and WARP kernels and the managed CPU backend share, so that both draw the same samples
/// and apply the same update: the random streams, the candidate negatives, WARP's rank weight, and one
/// lane's share of the pairwise SGD step.
/// </summary>
public static class PairwiseSgd
{
    /// <summary>
    /// The random stream of one worker (a CPU thread's cell, or a GPU warp) in one epoch, from
    /// (seed, epoch, worker). A single worker of either backend therefore draws the same samples.
    /// </summary>
    public static XorShiftRandom Stream(ulong seed, int epoch, int worker) =>
        new(seed ^ XorShiftRandom.Mix(0xB9F1_4C3Du + (ulong)(uint)epoch), (ulong)(uint)worker);

    /// <summary>
    /// Candidate number <paramref name="trial"/> (0-based) of a sample whose key is <paramref name="key"/>:
    /// a uniform index in [0, <paramref name="n"/>). Counter-based, so that lane l of a warp can draw
    /// candidate b·W + l directly and the sequence does not depend on the warp size.
    /// </summary>
    public static int Candidate(ulong key, int trial, int n) =>
        (int)(((XorShiftRandom.Mix(key + (ulong)(uint)trial) >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>
    /// WARP's rank weight L(r) = Σ_{j ≤ r} 1/j (Weston, Bengio, Usunier 2011, eq. 4 with α_j = 1/j):
    /// summed exactly up to r = 16, above it by the asymptotic series ln r + γ + 1/(2r) − 1/(12r²),
    /// whose error there is below 1e-7. L(0) = 0.
    /// </summary>
    public static float RankWeight(int rank)
    {
        if (rank <= 16)
        {
            float sum = 0f;
            for (int j = 1; j <= rank; j++)
            {
                sum += 1f / j;
            }
            return sum;
        }
        float r = rank;
        return MathF.Log(r) + 0.57721566f + 0.5f / r - 1f / (12f * r * r);
    }

    /// <summary>
    /// One lane's share (factors lane, lane + W, …) of the pairwise step that raises p_u·q_i − p_u·q_j
    /// with weight <paramref name="c"/>: ascent directions c(q_i − q_j) − λp_u, c·p_u − λq_i and
    /// −c·p_u − λq_j, applied with step size η (plain SGD) or η/√G with G the running sum of squared
    /// directions, starting at 1 (adagrad as LightFM applies it). Every new value is computed from the
    /// old ones, and q_j is written after q_i, so that i = j gives what the CPU backend gives.
    /// </summary>
    public static void UpdateFactors(
        ArrayView<float> p,
        ArrayView<float> q,
        ArrayView<float> gp,
        ArrayView<float> gq,
        long pu,
        long qi,
        long qj,
        int k,
        float c,
        float lr,
        float reg,
        int adagrad)
    {
        for (int f = Warp.LaneIdx; f < k; f += Warp.WarpSize)
        {
            float a = p[pu + f];
            float b = q[qi + f];
            float d = q[qj + f];
            float da = c * (b - d) - reg * a;
            float db = c * a - reg * b;
            float dd = -c * a - reg * d;
            if (adagrad != 0)
            {
                float ga = gp[pu + f];
                float gb = gq[qi + f];
                float gd = gq[qj + f];
                p[pu + f] = a + lr / MathF.Sqrt(ga) * da;
                q[qi + f] = b + lr / MathF.Sqrt(gb) * db;
                q[qj + f] = d + lr / MathF.Sqrt(gd) * dd;
                gp[pu + f] = ga + da * da;
                gq[qi + f] = gb + db * db;
                gq[qj + f] = gd + dd * dd;
            }
            else
            {
                p[pu + f] = a + lr * da;
                q[qi + f] = b + lr * db;
                q[qj + f] = d + lr * dd;
            }
        }
    }

    /// <summary>The bias part of the pairwise step (call from one lane only): b_i gains c − λb_i, b_j gains −c − λb_j, scaled as in <see cref="UpdateFactors"/>.</summary>
    public static void UpdateBiases(ArrayView<float> bias, ArrayView<float> gb, int i, int j, float c, float lr, float reg, int adagrad)
    {
        float bi = bias[i];
        float bj = bias[j];
        float di = c - reg * bi;
        float dj = -c - reg * bj;
        if (adagrad != 0)
        {
            float gi = gb[i];
            float gj = gb[j];
            bias[i] = bi + lr / MathF.Sqrt(gi) * di;
            bias[j] = bj + lr / MathF.Sqrt(gj) * dj;
            gb[i] = gi + di * di;
            gb[j] = gj + dj * dj;
        }
        else
        {
            bias[i] = bi + lr * di;
            bias[j] = bj + lr * dj;
        }
    }

    /// <summary>log(1 + e^(−x)), the BPR loss −ln σ(x), without overflow for large |x|.</summary>
    public static float SoftplusOfNegative(float x) =>
        MathF.Log(1f + MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f);
}
