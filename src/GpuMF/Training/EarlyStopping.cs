namespace GpuMF.Training;

/// <summary>
/// Stopping when the validation metric stops improving, keeping the best epoch's model: by default the validation
/// RMSE for SVD and precision@10 for ALS, BPR and WARP (<see cref="Metric"/> chooses NDCG@10 instead), measured on the
/// validation interactions given to <c>Fit</c> after every epoch. Not kept in checkpoints: a resumed run starts
/// tracking the best epoch afresh.
/// </summary>
/// <param name="Patience">Epochs (ALS: iterations) without improvement after which training stops, 1..10000.</param>
public sealed record EarlyStopping(int Patience)
{
    /// <summary>
    /// The metric watched; null (default) for RMSE on SVD and precision@10 on the others. RMSE applies to SVD only,
    /// precision@10 and NDCG@10 to the implicit models only.
    /// </summary>
    public ValidationMetric? Metric { get; init; }

    /// <summary>Throws when <see cref="Patience"/> is out of range; the message names it.</summary>
    public void Validate() => OptionRange.Require(Patience is >= 1 and <= 10000, nameof(Patience), Patience, "1..10000");

    /// <summary>The metric of <paramref name="report"/> this watches, higher better (RMSE negated); null when the report lacks it.</summary>
    internal double? Score(EpochReport report) => Metric switch
    {
        ValidationMetric.Rmse => -report.ValidationRmse,
        ValidationMetric.PrecisionAt10 => report.ValidationPrecision,
        ValidationMetric.NdcgAt10 => report.ValidationNdcg,
        _ => report.ValidationRmse is { } rmse ? -rmse : report.ValidationPrecision,
    };
}
