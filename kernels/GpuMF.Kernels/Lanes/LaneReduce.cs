using ILGPU;

namespace GpuMF.Kernels.Lanes;

/// <summary>Warp-wide reductions whose result every lane receives. The warp size is read at run time.</summary>
public static class LaneReduce
{
    /// <summary>The sum of <paramref name="value"/> over the warp (butterfly XOR shuffles).</summary>
    public static float Sum(float value)
    {
        for (int offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
        {
            value += Warp.ShuffleXor(value, offset);
        }
        return value;
    }
}
