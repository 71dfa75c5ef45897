namespace GpuMF.Backends;

/// <summary>
/// The device's memory cannot hold a job. The message names the memory the job needs and the device's, in
/// MiB, and what to do (fewer factors, a smaller N, the cpu backend). Trainers and batch scoring check
/// their whole footprint before they upload anything, so this comes before any work starts.
/// </summary>
public sealed class DeviceMemoryException : BackendUnavailableException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The whole message.</param>
    /// <param name="requiredBytes">What the job needs (or the one buffer that failed), in bytes.</param>
    /// <param name="deviceBytes">The device memory the job may use, in bytes.</param>
    /// <param name="inner">The allocation failure behind it, if any.</param>
    public DeviceMemoryException(string message, long requiredBytes, long deviceBytes, Exception? inner = null) : base(message, inner)
    {
        RequiredBytes = requiredBytes;
        DeviceBytes = deviceBytes;
    }

    /// <summary>What the job needs (or the one buffer that failed), in bytes.</summary>
    public long RequiredBytes { get; }

    /// <summary>The device memory the job may use, in bytes.</summary>
    public long DeviceBytes { get; }
}
