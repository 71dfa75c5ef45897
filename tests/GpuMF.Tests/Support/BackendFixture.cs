using GpuMF.Backends;

namespace GpuMF.Tests.Support;

/// <summary>Owns one ILGPU CPU accelerator for every test in the collection, so kernels compile once.</summary>
public sealed class IlgpuCpuFixture : IDisposable
{
    public ComputeBackend Backend { get; } = ComputeBackend.Create(BackendKind.IlgpuCpu);

    public void Dispose() => Backend.Dispose();
}

[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection : ICollectionFixture<IlgpuCpuFixture>
{
    public const string Name = "ilgpu-cpu";
}
