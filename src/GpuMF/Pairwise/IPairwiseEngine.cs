using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// The heavy step of BPR or WARP training on one backend: an epoch on samples drawn from the epoch's
/// streams, whose <see cref="EpochResult"/> sums the loss, samples, hits and trials met.
/// </summary>
internal interface IPairwiseEngine : ITrainingEngine
{
    /// <summary>Applies <paramref name="samples"/> in order, sequentially (the deterministic mode).</summary>
    EpochResult RunGiven(PairwiseSamples samples, float learningRate);

    /// <summary>Copies the current factors, item biases and (where <paramref name="target"/> has them) adagrad sums into <paramref name="target"/>'s arrays.</summary>
    void CopyTo(PairwiseProblem target);
}
