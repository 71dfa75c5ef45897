using GpuMF.Backends;

namespace GpuMF.Svd;

/// <summary>The SGD engine of each backend for one problem.</summary>
/// <param name="problem">The ratings and parameters.</param>
/// <param name="warps">Warps the ILGPU engine launches; 0 fills the device, 1 makes a run sequential (for kernel tests).</param>
internal sealed class SgdEngineFactory(SgdProblem problem, int warps = 0) : IEngineFactory<ISgdEngine>
{
    public ISgdEngine ForManagedCpu(int threads) => new CpuSgdEngine(problem, threads);

    public ISgdEngine ForIlgpu(ComputeBackend backend) => new IlgpuSgdEngine(backend, problem, warps);
}
