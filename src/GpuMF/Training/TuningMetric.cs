namespace GpuMF.Training;

/// <summary>What a tuner maximises (or, for RMSE, minimises) on the validation interactions.</summary>
public enum TuningMetric
{
    /// <summary>RMSE of the predicted ratings (explicit models; lower is better).</summary>
    Rmse,

    /// <summary>Precision@10 of each validation user's top 10, seen items left out.</summary>
    PrecisionAt10,

    /// <summary>NDCG@10 of each validation user's top 10, seen items left out.</summary>
    NdcgAt10,
}
