namespace GpuMF.Training;

/// <summary>What an SGD engine trains: the rating triples in their fixed base order and the initial parameters.</summary>
internal sealed record SgdProblem(
    int[] Users,
    int[] Items,
    float[] Ratings,
    int UserCount,
    int ItemCount,
    float[] P,
    float[] Q,
    float[] UserBias,
    float[] ItemBias,
    float Mean,
    SvdOptions Options);
