using ILGPU;

namespace GpuMF.Kernels.Lanes;

/// <summary>
/// Warp-wide votes built from shuffles, since ILGPU 1.5.3 has no ballot. Call from every lane of the
/// warp (uniform control flow); every lane receives the result.
/// </summary>
public static class LaneVote
{
    /// <summary>
    /// The lowest lane whose <paramref name="predicate"/> holds, or the warp size when none does: a
    /// butterfly min-reduction of lane indices (log₂ W shuffles).
    /// </summary>
    public static int FirstLane(bool predicate)
    {
        int warpSize = Warp.WarpSize;
        int first = predicate ? Warp.LaneIdx : warpSize;
        for (int offset = warpSize / 2; offset > 0; offset /= 2)
        {
            first = Math.Min(first, Warp.ShuffleXor(first, offset));
        }
        return first;
    }
}
