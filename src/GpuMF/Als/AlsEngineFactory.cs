using GpuMF.Backends;

namespace GpuMF.Als;

/// <summary>
/// The ALS engine of each backend for one problem: on one ILGPU device, everything resident when it fits
/// the device's budget, else streamed in chunks; on several devices, the rows split over them.
/// </summary>
/// <param name="problem">The interactions and factors.</param>
internal sealed class AlsEngineFactory(AlsProblem problem) : IDeviceGroupEngineFactory<IAlsEngine>
{
    public IAlsEngine ForManagedCpu(int threads) => new CpuAlsEngine(problem, threads);

    public IAlsEngine ForIlgpu(ComputeBackend backend) =>
        IlgpuAlsEngine.Footprint(backend, problem).Bytes <= backend.MemoryBudget
            ? new IlgpuAlsEngine(backend, problem)
            : new PartitionedAlsEngine([backend], problem);

    public IAlsEngine ForDevices(IReadOnlyList<ComputeBackend> devices) => new PartitionedAlsEngine(devices, problem);
}
