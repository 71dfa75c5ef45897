namespace GpuMF.Training;

/// <summary>The heavy step of BPR or WARP training on one backend.</summary>
internal interface IPairwiseEngine : IDisposable
{
    /// <summary>
    /// Runs 0-based <paramref name="epoch"/> with step size <paramref name="learningRate"/> on samples drawn from
    /// the epoch's streams. Throws <see cref="OperationCanceledException"/> when <paramref name="cancel"/> is
    /// cancelled part-way, leaving the parameters half-updated.
    /// </summary>
    PairwiseEpochStats RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default);

    /// <summary>Applies <paramref name="samples"/> in order, sequentially (the deterministic mode).</summary>
    PairwiseEpochStats RunGiven(PairwiseSamples samples, float learningRate);

    /// <summary>Copies the current factors, item biases and (where <paramref name="target"/> has them) adagrad sums into <paramref name="target"/>'s arrays.</summary>
    void CopyTo(PairwiseProblem target);
}
