namespace GpuMF.Training;

/// <summary>Progress after one epoch or iteration of training.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="TrainLoss">The model's training objective for this epoch (for SGD: RMSE of the errors met during the epoch).</param>
/// <param name="ValidationRmse">RMSE on the validation ratings when some were given, else null.</param>
/// <param name="Elapsed">Wall time since training began.</param>
/// <param name="UpdatesPerSecond">Updates (ratings, rows or samples) per second in this epoch.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double? ValidationRmse, TimeSpan Elapsed, double UpdatesPerSecond);
