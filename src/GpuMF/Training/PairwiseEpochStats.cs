namespace GpuMF.Training;

/// <summary>
/// What one epoch (or one batch of given samples) met: the summed loss, the samples, the hits (BPR:
/// triples ranked right before their step; WARP: positives that found a violating negative) and the
/// trials (BPR: draws of j; WARP: candidates scored, counted as the sequential loop counts them).
/// </summary>
internal readonly record struct PairwiseEpochStats(double Loss, long Samples, long Hits, long Trials)
{
    public static PairwiseEpochStats operator +(PairwiseEpochStats a, PairwiseEpochStats b) =>
        new(a.Loss + b.Loss, a.Samples + b.Samples, a.Hits + b.Hits, a.Trials + b.Trials);
}
