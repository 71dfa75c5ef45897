using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>
/// The heavy step of SGD training on one backend: a full epoch over the ratings, whose
/// <see cref="EpochResult.Loss"/> is the sum of squared errors met and whose samples are the ratings.
/// </summary>
internal interface ISgdEngine : ITrainingEngine
{
    /// <summary>Copies the current parameters into the host arrays.</summary>
    void CopyTo(float[] p, float[] q, float[] userBias, float[] itemBias);
}
