namespace GpuMF.Training;

/// <summary>
/// The heavy step of training on one backend, the one contract <see cref="TrainingLoop"/> drives: an epoch
/// (ALS: an iteration, both half-iterations). The parameters stay wherever the backend keeps them until the
/// family's run copies them back.
/// </summary>
internal interface ITrainingEngine : IDisposable
{
    /// <summary>
    /// Runs 0-based <paramref name="epoch"/> with step size <paramref name="learningRate"/> (ignored by ALS).
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancel"/> is cancelled part-way,
    /// leaving the parameters half-updated.
    /// </summary>
    EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default);
}
