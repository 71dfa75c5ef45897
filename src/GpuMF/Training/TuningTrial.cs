namespace GpuMF.Training;

/// <summary>One training run of a tuning search.</summary>
/// <param name="Point">Which point of the search it trained: 0 is the family's defaults, 1.. the quasi-random points.</param>
/// <param name="Round">The successive-halving round, 0 first (shortest).</param>
/// <param name="Epochs">Epochs (ALS: iterations) it was allowed.</param>
/// <param name="BestEpoch">The epoch whose model it kept (early stopping), 1..<paramref name="Epochs"/>.</param>
/// <param name="Values">The searched options' values, as typed on the command line; empty for the defaults.</param>
/// <param name="Metric">The validation metric of the model kept.</param>
/// <param name="Elapsed">Its wall-clock time, training and validation.</param>
public sealed record TuningTrial(int Point, int Round, int Epochs, int BestEpoch, IReadOnlyList<KeyValuePair<string, string>> Values, double Metric, TimeSpan Elapsed);
