using GpuMF.Backends;
using GpuMF.Models;

namespace GpuMF.Pairwise;

/// <summary>
/// The BPR or WARP engine of each backend for one problem: on one ILGPU device, everything resident when it fits
/// the device's budget, else the positives streamed through it cell by cell (<see cref="DevicePairwiseEngine"/>);
/// on several devices, the stratified schedule across them.
/// </summary>
/// <param name="problem">The positives, parameters and settings (which name the model).</param>
/// <param name="warps">Warps the ILGPU engine launches; 0 fills the device, 1 makes a run sequential (for kernel tests).</param>
internal sealed class PairwiseEngineFactory(PairwiseProblem problem, int warps = 0) : IDeviceGroupEngineFactory<IPairwiseEngine>
{
    public IPairwiseEngine ForManagedCpu(int threads) => problem.Settings.Kind switch
    {
        ModelKind.Bpr => new CpuBprEngine(problem, threads),
        ModelKind.Warp => new CpuWarpEngine(problem, threads),
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem.Settings.Kind, "Not a pairwise model."),
    };

    public IPairwiseEngine ForIlgpu(ComputeBackend backend) =>
        IlgpuPairwiseEngine.Footprint(backend, problem, warps).Bytes <= backend.MemoryBudget
            ? new IlgpuPairwiseEngine(backend, problem, warps)
            : new DevicePairwiseEngine([backend], problem, warps);

    public IPairwiseEngine ForDevices(IReadOnlyList<ComputeBackend> devices) => new DevicePairwiseEngine(devices, problem, warps);
}
