namespace GpuMF.Backends;

/// <summary>A backend asked for by name is not present on this machine, or its device cannot hold the work.</summary>
public sealed class BackendUnavailableException : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public BackendUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
