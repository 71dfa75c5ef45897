namespace GpuMF.Backends;

/// <summary>
/// An engine factory whose engine can spread one job over several devices: what
/// <see cref="ComputeBackend.CreateEngine"/> asks of a backend opened with several devices.
/// </summary>
/// <typeparam name="TEngine">The engine made.</typeparam>
public interface IDeviceGroupEngineFactory<out TEngine> : IEngineFactory<TEngine>
{
    /// <summary>The engine that runs on every one of <paramref name="devices"/> (two or more ILGPU devices of one kind, sharing one context).</summary>
    TEngine ForDevices(IReadOnlyList<ComputeBackend> devices);
}
