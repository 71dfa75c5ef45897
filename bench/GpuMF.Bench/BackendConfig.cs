using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using GpuMF.Backends;

namespace GpuMF.Bench;

/// <summary>
/// The configuration of every <see cref="BackendBenchmark"/>: it keeps the cases that can run here, the
/// CPU backends always, CUDA and OpenCL only where such a device is present, and ILGPU's CPU accelerator
/// only on inputs marked <see cref="Workload.FitsIlgpuCpu"/>. Jobs, exporters and filters given on the
/// command line still apply.
/// </summary>
public sealed class BackendConfig : ManualConfig
{
    private static readonly Lazy<HashSet<BackendKind>> Present = new(() => ComputeBackend.ListDevices().Select(d => d.Backend).ToHashSet());

    /// <summary>Adds the filter.</summary>
    public BackendConfig() => AddFilter(new SimpleFilter(Runs));

    private static bool Runs(BenchmarkCase benchmark) => benchmark.Descriptor.WorkloadMethod.Name switch
    {
        nameof(BackendBenchmark.Cpu) => true,
        nameof(BackendBenchmark.IlgpuCpu) => benchmark.Parameters.Items.Select(p => p.Value).OfType<Workload>().All(w => w.FitsIlgpuCpu),
        nameof(BackendBenchmark.Cuda) => Present.Value.Contains(BackendKind.Cuda),
        nameof(BackendBenchmark.OpenCL) => Present.Value.Contains(BackendKind.OpenCL),
        _ => true,
    };
}
