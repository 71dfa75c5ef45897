using ILGPU;

namespace GpuMF.Kernels.Lanes;

/// <summary>The warps of a launch, for kernels that give each warp a row or a sample and let the warps stride over them.</summary>
public static class LaneGrid
{
    /// <summary>The calling thread's warp, counted over the whole grid.</summary>
    public static int WarpIndex => Grid.GlobalIndex.X / Warp.WarpSize;

    /// <summary>Warps in the launch: the stride of a warp's rows or samples.</summary>
    public static int WarpCount => Grid.DimX * Group.DimX / Warp.WarpSize;
}
