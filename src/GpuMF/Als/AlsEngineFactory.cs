using GpuMF.Backends;

namespace GpuMF.Als;

/// <summary>The ALS engine of each backend for one problem.</summary>
/// <param name="problem">The interactions and factors.</param>
internal sealed class AlsEngineFactory(AlsProblem problem) : IEngineFactory<IAlsEngine>
{
    public IAlsEngine ForManagedCpu(int threads) => new CpuAlsEngine(problem, threads);

    public IAlsEngine ForIlgpu(ComputeBackend backend) => new IlgpuAlsEngine(backend, problem);
}
