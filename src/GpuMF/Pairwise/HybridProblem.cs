using GpuMF.Data;

namespace GpuMF.Pairwise;

/// <summary>
/// What a hybrid BPR or WARP engine trains: the observed pairs in the training matrix's CSR order, each user's
/// observed items (CSR, ascending) for rejecting negatives, each side's features (a side trained without features
/// has the identity matrix: entity e is column e with weight 1), and the parameters: the feature embedding tables
/// (row-major, k per column), the item feature biases and, under adagrad, their sums (null under plain SGD).
/// </summary>
internal sealed record HybridProblem(
    int[] Users,
    int[] Items,
    int[] SeenPtr,
    int[] SeenItems,
    FeatureMatrix UserSide,
    FeatureMatrix ItemSide,
    float[] UserEmbeddings,
    float[] ItemEmbeddings,
    float[] ItemBiases,
    float[]? UserSums,
    float[]? ItemSums,
    float[]? BiasSums,
    PairwiseSettings Settings)
{
    public int UserCount => UserSide.RowCount;

    public int ItemCount => ItemSide.RowCount;

    public int Positives => Users.Length;
}
