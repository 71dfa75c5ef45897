namespace GpuMF.TopN;

/// <summary>
/// Which device kernels batch scoring runs on an ILGPU backend. Both return the same lists (best first,
/// ties to the lower index, the same filters); the managed CPU backend has one path and ignores the choice.
/// </summary>
public enum TopNKernel
{
    /// <summary>
    /// The measured default: a tiled kernel writes a block of scores to device memory, then one warp per
    /// query row folds it into the row's top N, tile by tile.
    /// </summary>
    Blocked,

    /// <summary>
    /// One kernel scores in registers and keeps each row's top N on chip (in device memory for N above 16),
    /// with no score matrix in device memory. Proven against the CPU backend on ILGPU's CPU accelerator;
    /// no GPU figure yet, hence opt-in.
    /// </summary>
    Fused,
}
