namespace GpuMF.Training;

/// <summary>What early stopping and the tuner watch on the validation interactions: maximised, or for RMSE minimised.</summary>
public enum ValidationMetric
{
    /// <summary>RMSE of the predicted ratings (explicit models; lower is better).</summary>
    Rmse,

    /// <summary>Precision@10 of each validation user's top 10, seen items left out.</summary>
    PrecisionAt10,

    /// <summary>NDCG@10 of each validation user's top 10, seen items left out.</summary>
    NdcgAt10,
}
