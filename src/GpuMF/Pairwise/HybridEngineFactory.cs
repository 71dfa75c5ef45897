using GpuMF.Backends;
using GpuMF.Models;

namespace GpuMF.Pairwise;

/// <summary>The hybrid BPR or WARP engine of each backend for one problem.</summary>
/// <param name="problem">The positives, features, parameters and settings (which name the model).</param>
/// <param name="warps">Warps the ILGPU engine launches; 0 fills the device, 1 makes a run sequential (for kernel tests).</param>
internal sealed class HybridEngineFactory(HybridProblem problem, int warps = 0) : IEngineFactory<HybridEngine>
{
    public HybridEngine ForManagedCpu(int threads) => problem.Settings.Kind switch
    {
        ModelKind.Bpr => new HybridCpuBprEngine(problem, threads),
        ModelKind.Warp => new HybridCpuWarpEngine(problem, threads),
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem.Settings.Kind, "Not a pairwise model."),
    };

    public HybridEngine ForIlgpu(ComputeBackend backend) => new HybridIlgpuEngine(backend, problem, warps);
}
