namespace GpuMF.Training;

/// <summary>Training produced NaN or infinite values; the message names the epoch and what to change.</summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the error for 1-based <paramref name="epoch"/>.</summary>
    public TrainingDivergedException(int epoch, string advice)
        : base($"Training diverged at epoch {epoch} (the loss became NaN or infinite). {advice}")
    {
        Epoch = epoch;
    }

    /// <summary>The 1-based epoch at which the loss stopped being finite.</summary>
    public int Epoch { get; }
}
