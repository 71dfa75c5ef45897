namespace GpuMF.Backends;

/// <summary>A backend asked for by name is not present on this machine, or its device cannot hold the work (<see cref="DeviceMemoryException"/>).</summary>
public class BackendUnavailableException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public BackendUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
