namespace GpuMF.Backends;

/// <summary>
/// Makes one kind of engine (a training step, a top-N scorer) for whichever backend
/// <see cref="ComputeBackend.CreateEngine"/> is called on, so that no trainer or scorer asks which backend it
/// runs on. A new kind of backend adds a method here, and each engine family answers it.
/// </summary>
/// <typeparam name="TEngine">The engine made.</typeparam>
public interface IEngineFactory<out TEngine>
{
    /// <summary>The engine of the managed CPU backend.</summary>
    /// <param name="threads">Worker threads, ≥ 1.</param>
    TEngine ForManagedCpu(int threads);

    /// <summary>The engine that runs ILGPU kernels on <paramref name="backend"/>'s accelerator (CUDA, OpenCL or ILGPU's CPU accelerator).</summary>
    TEngine ForIlgpu(ComputeBackend backend);
}
