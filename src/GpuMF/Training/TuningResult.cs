namespace GpuMF.Training;

/// <summary>What a tuning search found.</summary>
/// <param name="Metric">The metric it optimised.</param>
/// <param name="Trials">Every completed trial, in the order run.</param>
/// <param name="Best">The best trial of the last round any trial completed.</param>
/// <param name="BestOptions">
/// The family's options record of <paramref name="Best"/>, its training length set to the epoch it kept; or, when the
/// time budget ended the search before the last round and the best trial was still improving at the end of its
/// (shorter) round, to the last round's length.
/// </param>
/// <param name="BestJson">The same options as the JSON <see cref="ModelFamily.ToJson"/> writes and models store.</param>
/// <param name="StoppedByBudget">True when the time budget ended the search before its last round finished.</param>
public sealed record TuningResult(ValidationMetric Metric, IReadOnlyList<TuningTrial> Trials, TuningTrial Best, object BestOptions, string BestJson, bool StoppedByBudget)
{
    /// <summary>True when a higher metric is better (not RMSE).</summary>
    public bool HigherIsBetter => Metric != ValidationMetric.Rmse;
}
