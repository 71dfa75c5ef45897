using GpuMF.Backends;

namespace GpuMF.Mpi;

/// <summary>The MPI library cannot be loaded or is not Open MPI; the message says what to install.</summary>
public sealed class MpiUnavailableException : BackendUnavailableException
{
    /// <summary>Creates the error.</summary>
    public MpiUnavailableException(string message) : base(message) { }
}
