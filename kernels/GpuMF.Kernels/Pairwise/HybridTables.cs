using ILGPU;

namespace GpuMF.Kernels.Pairwise;

/// <summary>
/// The parameters of a hybrid BPR or WARP model on the device: the features' embedding tables (row c of a table at
/// [c·k, (c + 1)·k)), the item features' biases, and their adagrad sums (one-element stand-ins under plain SGD).
/// </summary>
public struct HybridTables
{
    /// <summary>User feature embeddings, one row per user feature column.</summary>
    public ArrayView<float> Users;

    /// <summary>Item feature embeddings, one row per item feature column.</summary>
    public ArrayView<float> Items;

    /// <summary>Item feature biases, one per item feature column.</summary>
    public ArrayView<float> Biases;

    /// <summary>Adagrad sums of <see cref="Users"/>.</summary>
    public ArrayView<float> UserSums;

    /// <summary>Adagrad sums of <see cref="Items"/>.</summary>
    public ArrayView<float> ItemSums;

    /// <summary>Adagrad sums of <see cref="Biases"/>.</summary>
    public ArrayView<float> BiasSums;
}
