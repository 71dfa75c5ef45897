namespace GpuMF.Training;

/// <summary>The heavy step of SGD training on one backend: a full epoch over the ratings.</summary>
internal interface ISgdEngine : IDisposable
{
    /// <summary>
    /// Runs 0-based <paramref name="epoch"/> with step size <paramref name="learningRate"/>; returns the sum of
    /// squared errors met. Throws <see cref="OperationCanceledException"/> when <paramref name="cancel"/> is
    /// cancelled part-way, leaving the parameters half-updated.
    /// </summary>
    double RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default);

    /// <summary>Copies the current parameters into the host arrays.</summary>
    void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias);
}
