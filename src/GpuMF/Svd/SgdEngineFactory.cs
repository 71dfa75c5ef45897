using GpuMF.Backends;

namespace GpuMF.Svd;

/// <summary>
/// The SGD engine of each backend for one problem: on one ILGPU device, everything resident when it fits the
/// device's budget, else the ratings streamed through it cell by cell (<see cref="DeviceSgdEngine"/>); on several
/// devices, the stratified schedule across them.
/// </summary>
/// <param name="problem">The ratings and parameters.</param>
/// <param name="warps">Warps the ILGPU engine launches; 0 fills the device, 1 makes a run sequential (for kernel tests).</param>
internal sealed class SgdEngineFactory(SgdProblem problem, int warps = 0) : IDeviceGroupEngineFactory<ISgdEngine>
{
    public ISgdEngine ForManagedCpu(int threads) => new CpuSgdEngine(problem, threads);

    public ISgdEngine ForIlgpu(ComputeBackend backend) =>
        IlgpuSgdEngine.Footprint(backend, problem.Ratings.Length, problem.UserCount, problem.ItemCount, problem.Options.Factors, warps).Bytes <= backend.MemoryBudget
            ? new IlgpuSgdEngine(backend, problem, warps)
            : new DeviceSgdEngine([backend], problem, warps);

    public ISgdEngine ForDevices(IReadOnlyList<ComputeBackend> devices) => new DeviceSgdEngine(devices, problem, warps);
}
