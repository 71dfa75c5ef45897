using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// One side's features (users or items) as the hybrid kernels read them: CSR rows of (column, weight), entity e's
/// representation being Σ weight · embedding(column) over [<see cref="Ptr"/>[e], <see cref="Ptr"/>[e + 1]).
/// </summary>
public struct HybridSide
{
    /// <summary>Row offsets, one per entity plus one.</summary>
    public ArrayView<int> Ptr;

    /// <summary>Each entry's column: the row of the side's embedding table.</summary>
    public ArrayView<int> Columns;

    /// <summary>Each entry's weight.</summary>
    public ArrayView<float> Weights;
}
