namespace GpuMF.Training;

/// <summary>
/// What one epoch (or one batch of given samples) met, summed over the work: the loss, the samples or rows
/// updated, and for the pairwise models the hits (BPR: triples ranked right before their step; WARP: positives
/// that found a violating negative) and trials (BPR: draws of j; WARP: candidates scored, counted as the
/// sequential loop counts them). <see cref="Diverged"/> is set when a quantity the loss does not show (ALS:
/// the factor norms) became NaN or infinite; <c>default</c> is the empty sum.
/// </summary>
internal readonly record struct EpochResult(double Loss, long Samples, long Hits = 0, long Trials = 0, bool Diverged = false)
{
    public static EpochResult operator +(EpochResult a, EpochResult b) =>
        new(a.Loss + b.Loss, a.Samples + b.Samples, a.Hits + b.Hits, a.Trials + b.Trials, a.Diverged || b.Diverged);
}
