using GpuMF.Backends;

namespace GpuMF.Tests.Support;

/// <summary>
/// The backend a suite of Suites/ runs against, opened on first use: the fixture of a device this machine
/// lacks opens nothing while its suites are skipped (<see cref="BackendFactAttribute"/>).
/// </summary>
/// <param name="open">Opens the backend.</param>
public abstract class BackendFixture(Func<ComputeBackend> open) : IDisposable
{
    private readonly Lazy<ComputeBackend> _backend = new(open);

    public ComputeBackend Backend => _backend.Value;

    /// <summary>
    /// True where the kernels run on ILGPU's CPU accelerator, which simulates every GPU thread and runs them
    /// tens of times slower than the managed CPU backend: suites train on smaller data there.
    /// </summary>
    public virtual bool Simulated => false;

    public void Dispose()
    {
        if (_backend.IsValueCreated)
        {
            _backend.Value.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>The managed CPU backend with three threads: more cells than this machine's two cores, and a count that is not a power of two.</summary>
public sealed class CpuFixture() : BackendFixture(() => ComputeBackend.Create(BackendKind.Cpu, threads: 3));

/// <summary>The managed CPU backend with one thread, whose training takes every sample in one sequence (one cell).</summary>
public sealed class SequentialCpuFixture() : BackendFixture(() => ComputeBackend.Create(BackendKind.Cpu, threads: 1));

/// <summary>One ILGPU CPU accelerator for every test in the collection, so kernels compile once.</summary>
public sealed class IlgpuCpuFixture() : BackendFixture(() => ComputeBackend.Create(BackendKind.IlgpuCpu))
{
    public override bool Simulated => true;
}

/// <summary>The first CUDA device.</summary>
[RequiresDevice(BackendKind.Cuda)]
public sealed class CudaFixture() : BackendFixture(() => ComputeBackend.Create(BackendKind.Cuda));

/// <summary>The first OpenCL GPU.</summary>
[RequiresDevice(BackendKind.OpenCL)]
public sealed class OpenClFixture() : BackendFixture(() => ComputeBackend.Create(BackendKind.OpenCL));

[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    public const string Name = "ilgpu-cpu";
}

[CollectionDefinition(Name)]
public sealed class CudaCollection : ICollectionFixture<CudaFixture>
{
    public const string Name = "cuda";
}

[CollectionDefinition(Name)]
public sealed class OpenClCollection : ICollectionFixture<OpenClFixture>
{
    public const string Name = "opencl";
}
