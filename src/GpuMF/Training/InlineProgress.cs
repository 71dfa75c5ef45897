namespace GpuMF.Training;

/// <summary>
/// Progress handled on the reporting thread, in order, when it is reported: <see cref="Progress{T}"/> would post each
/// report to the thread pool, where they may run late and out of order.
/// </summary>
/// <typeparam name="T">What is reported.</typeparam>
/// <param name="report">Called with each report.</param>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
