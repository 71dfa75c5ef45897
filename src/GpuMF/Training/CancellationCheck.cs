namespace GpuMF.Training;

/// <summary>
/// The cancellation an engine observes inside an epoch, at check points placed before units of work
/// (a round of cells, a few thousand samples of a cell, a range of rows, a kernel launch), so that a
/// cancelled epoch stops within one unit. The trainer then throws and drops the half-updated parameters.
/// </summary>
/// <param name="token">The caller's token.</param>
/// <param name="probe">Called at every check point before the token is read; tests use it to cancel from inside an epoch.</param>
internal readonly struct CancellationCheck(CancellationToken token, Action? probe = null)
{
    /// <summary>A check point: true once cancellation is requested, when the work that follows should not start.</summary>
    public bool Requested()
    {
        probe?.Invoke();
        return token.IsCancellationRequested;
    }

    /// <summary>A check point that throws <see cref="OperationCanceledException"/> once cancellation is requested.</summary>
    public void ThrowIfRequested()
    {
        if (Requested())
        {
            throw new OperationCanceledException(token);
        }
    }

    /// <summary>Throws once cancellation is requested, without being a check point: after parallel workers that may have stopped early.</summary>
    public void ThrowIfCancelled() => token.ThrowIfCancellationRequested();
}
