using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>The hybrid BPR or WARP epoch on one backend, over the parameters of a <see cref="HybridProblem"/> that it keeps until copied back.</summary>
internal abstract class HybridEngine : ITrainingEngine
{
    public abstract EpochResult RunEpoch(int epoch, float learningRate, CancellationCheck cancel = default);

    /// <summary>Copies the embedding tables, the item feature biases and (where <paramref name="target"/> has them) the adagrad sums into <paramref name="target"/>'s arrays.</summary>
    public abstract void CopyTo(HybridProblem target);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
