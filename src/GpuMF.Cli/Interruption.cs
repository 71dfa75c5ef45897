using System.Runtime.InteropServices;

namespace GpuMF.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM cancel the running command through one token, so that it stops at its next
/// check, removes its temporary files and leaves the outputs that were there as they were; the exit code then
/// says which signal it was, 130 or 143, as a shell reports a process that either killed. A second signal ends
/// the process at once, for a step that does not check the token soon enough.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public Interruption()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The exit code of a command the signal cancelled: 128 + the signal's number.</summary>
    public int ExitCode => _signal == (int)PosixSignal.SIGTERM ? 143 : 130;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) == 0)
        {
            context.Cancel = true;
            _cancel.Cancel();
        }
    }
}
