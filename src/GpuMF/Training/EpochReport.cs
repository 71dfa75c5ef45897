namespace GpuMF.Training;

/// <summary>Progress after one epoch (ALS: iteration) of training, the one report every model gives.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="TrainLoss">The model's training objective for this epoch. SVD: RMSE of the errors met during the
/// epoch. ALS: the weighted objective divided by the total weight when <c>AlsOptions.ComputeLoss</c> is set, else
/// NaN. BPR: mean −ln σ(x) per sample. WARP: mean weighted hinge L·(1 − score_i + score_j), 0 for a positive with no violator.</param>
/// <param name="ValidationRmse">SVD: RMSE on the validation ratings when some were given, else null.</param>
/// <param name="Elapsed">Wall time since training began.</param>
/// <param name="UpdatesPerSecond">Updates per second of wall time in this epoch (SVD: ratings; ALS: rows solved; BPR and WARP: samples).</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double? ValidationRmse, TimeSpan Elapsed, double UpdatesPerSecond)
{
    /// <summary>Updates in the epoch (ratings, rows solved or samples), ≥ 0.</summary>
    public long Updates { get; init; }

    /// <summary>ALS, BPR and WARP: precision@10 on the validation positives when some were given, else null.</summary>
    public double? ValidationPrecision { get; init; }

    /// <summary>ALS, BPR and WARP: NDCG@10 on the validation positives when some were given, else null.</summary>
    public double? ValidationNdcg { get; init; }

    /// <summary>BPR: fraction of triples with score_i &gt; score_j before their step, in [0, 1]; null for the other models.</summary>
    public double? RankedCorrectlyFraction { get; init; }

    /// <summary>WARP: fraction of positives that found a negative violating the margin within MaxSampled draws, in [0, 1]; null for the other models.</summary>
    public double? ViolatorFraction { get; init; }

    /// <summary>With validation data: the 1-based epoch whose validation metric is best so far (the metric early stopping watches: by default the lowest RMSE for SVD, the highest precision@10 for the others); else null.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>BPR and WARP: negatives drawn per sample (BPR: draws of j, rejections included; WARP: candidates up to the violator, as sequential sampling counts them); null for the others.</summary>
    public double? NegativesPerSample { get; init; }
}
