namespace GpuMF.Kernels.Als;

/// <summary>The scalar arguments of one <see cref="GramKernels.Gram"/> launch, passed by value.</summary>
public struct GramStep
{
    /// <summary>Rows of the factor matrix, ≥ 0.</summary>
    public int Rows;

    /// <summary>Columns k of the factor matrix, ≥ 1.</summary>
    public int Factors;

    /// <summary>Side t of a square output tile; the group has t² threads, 1 ≤ t ≤ <see cref="GramKernels.MaxTile"/>.</summary>
    public int Tile;

    /// <summary>Tiles per side of the k × k output, ⌈k / t⌉.</summary>
    public int Tiles;

    /// <summary>Rows summed by one group; ⌈Rows / ChunkRows⌉ chunks cover the matrix.</summary>
    public int ChunkRows;

    /// <summary>λ added to the diagonal (by chunk 0 only), ≥ 0.</summary>
    public float Regularization;
}
