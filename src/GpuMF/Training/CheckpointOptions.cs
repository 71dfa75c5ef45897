namespace GpuMF.Training;

/// <summary>Periodic checkpoints during training, each a model file written atomically (temporary file, then rename).</summary>
/// <param name="Path">Where the checkpoint goes; each one replaces the last.</param>
/// <param name="Every">Write one after every this many epochs, ≥ 1.</param>
public sealed record CheckpointOptions(string Path, int Every)
{
    /// <summary>Throws when the path is empty or <see cref="Every"/> is below 1.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(Every, 1);
    }
}
