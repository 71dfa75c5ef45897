namespace GpuMF.Kernels.TopN;

/// <summary>
/// The side of a <see cref="FusedTopNKernels"/> thread group as a type, so that ILGPU compiles it as a
/// constant: the group holds Side² threads, each scoring 8 × 8 cells, and every shared-memory offset
/// derived from it folds into the load instructions. Implemented by structs only.
/// </summary>
public interface ITileSide
{
    /// <summary>Threads along each side of the group.</summary>
    int Side { get; }
}

/// <summary>16 × 16 threads (256): a block of 128 query rows × 128 candidates, for GPUs.</summary>
public readonly struct TileSide16 : ITileSide
{
    /// <inheritdoc />
    public int Side => 16;
}

/// <summary>8 × 8 threads (64): a block of 64 × 64, for devices whose groups hold fewer than 256 threads.</summary>
public readonly struct TileSide8 : ITileSide
{
    /// <inheritdoc />
    public int Side => 8;
}

/// <summary>4 × 4 threads (16): a block of 32 × 32, for ILGPU's CPU accelerator, whose groups hold 16 threads.</summary>
public readonly struct TileSide4 : ITileSide
{
    /// <inheritdoc />
    public int Side => 4;
}
