namespace GpuMF.Training;

/// <summary>Progress of BPR or WARP training after one epoch.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="Loss">Mean loss per sample: BPR's −ln σ(x); WARP's weighted hinge L·(1 − score_i + score_j), 0 for a positive with no violator.</param>
/// <param name="Samples">Samples (BPR triples, WARP positives) in the epoch.</param>
/// <param name="SamplesPerSecond">Samples per second of wall time in the epoch.</param>
/// <param name="RankedCorrectlyFraction">BPR: fraction of triples with score_i &gt; score_j before their step; null for WARP.</param>
/// <param name="ViolatorFraction">WARP: fraction of positives that found a negative violating the margin within MaxSampled draws; null for BPR.</param>
/// <param name="NegativesPerSample">Negatives drawn per sample (BPR: draws of j, rejections included; WARP: candidates up to the violator, as sequential sampling counts them).</param>
/// <param name="ValidationPrecision">precision@10 on the validation positives when some were given, else null.</param>
/// <param name="Elapsed">Wall time since training began.</param>
public sealed record PairwiseEpochReport(
    int Epoch,
    int Epochs,
    double Loss,
    long Samples,
    double SamplesPerSecond,
    double? RankedCorrectlyFraction,
    double? ViolatorFraction,
    double NegativesPerSample,
    double? ValidationPrecision,
    TimeSpan Elapsed)
{
    /// <summary>The generic report shared with the other trainers (loss and samples per second; no validation RMSE).</summary>
    public EpochReport ToEpochReport() => new(Epoch, Epochs, Loss, null, Elapsed, SamplesPerSecond);
}
