using GpuMF.Kernels.Lanes;
using GpuMF.Kernels.Sampling;
using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// What the BPR and WARP kernels (<see cref="BprKernels.Epoch"/>, <see cref="WarpLossKernels.Epoch"/>) set up
/// alike for the calling warp: which samples it takes (First + w, First + w + warps, … of the launch), the
/// positive pair each stands for, its random stream, and the counts it leaves for the host. Every lane
/// holds an identical copy, so the lanes agree on every sample without communicating.
/// </summary>
public struct PairwiseWarp
{
    /// <summary>The warp w, counted over the grid.</summary>
    public int Index;

    /// <summary>Warps launched: the stride between a warp's samples.</summary>
    public int Count;

    /// <summary>
    /// The warp's stream: (seed, epoch, w) when the launch starts the epoch, else taken up where the
    /// warp's previous launch left it (counts[3w + 2]).
    /// </summary>
    public XorShiftRandom Random;

    /// <summary>The calling warp's share of the launch <paramref name="step"/>, whose per-warp counts are <paramref name="counts"/>.</summary>
    public static PairwiseWarp Begin(PairwiseStep step, ArrayView<long> counts)
    {
        int warp = LaneGrid.WarpIndex;
        return new PairwiseWarp
        {
            Index = warp,
            Count = LaneGrid.WarpCount,
            Random = step.First == 0 ? PairwiseSgd.Stream(step.Seed, step.Epoch, warp) : XorShiftRandom.FromState((ulong)counts[3 * warp + 2]),
        };
    }

    /// <summary>The warp's first sample; the next ones follow <see cref="Count"/> apart, up to <c>step.End</c>.</summary>
    public readonly int First(PairwiseStep step) => step.First + Index;

    /// <summary>
    /// The observed pair (<paramref name="user"/>, <paramref name="item"/>) of sample <paramref name="s"/>:
    /// the given sample s in given mode, else the pair at position s of the epoch's affine order.
    /// </summary>
    public static void Positive(PairwiseStep step, int s, ArrayView<int> users, ArrayView<int> items, out int user, out int item)
    {
        int idx = step.Given != 0 ? s : (int)((step.OrderA * s + step.OrderB) % step.Positives);
        user = users[idx];
        item = items[idx];
    }

    /// <summary>
    /// Lane 0 writes the warp's summed <paramref name="lossSum"/> to loss[w], <paramref name="hits"/> and
    /// <paramref name="draws"/> to counts[3w] and [3w + 1], and the stream's state to counts[3w + 2].
    /// </summary>
    public readonly void End(ArrayView<float> loss, ArrayView<long> counts, float lossSum, long hits, long draws)
    {
        if (Warp.LaneIdx == 0)
        {
            loss[Index] = lossSum;
            counts[3 * Index] = hits;
            counts[3 * Index + 1] = draws;
            counts[3 * Index + 2] = (long)Random.State;
        }
    }
}
