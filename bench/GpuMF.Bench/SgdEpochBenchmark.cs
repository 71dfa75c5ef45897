using BenchmarkDotNet.Attributes;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// One SGD epoch at 64 factors on seeded synthetic ratings, on the managed CPU backend (the baseline of
/// the ratio column) and on ILGPU's CPU accelerator; Cuda and OpenCL join when present.
/// </summary>
[MemoryDiagnoser]
public class SgdEpochBenchmark
{
    private InteractionMatrix _data = null!;
    private ComputeBackend _backend = null!;

    /// <summary>The backend measured.</summary>
    [ParamsSource(nameof(Backends))]
    public BackendKind Backend { get; set; }

    /// <summary>Every backend present; the CPU accelerator only at a size it can finish.</summary>
    public static IEnumerable<BackendKind> Backends()
    {
        yield return BackendKind.Cpu;
        yield return BackendKind.IlgpuCpu;
        foreach (var kind in ComputeBackend.ListDevices().Select(d => d.Backend).Where(k => k is BackendKind.Cuda or BackendKind.OpenCL).Distinct())
        {
            yield return kind;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        // IlgpuCpu simulates warps with threads and runs at tens of thousands of updates per second.
        long ratings = Backend == BackendKind.IlgpuCpu ? 20_000 : 1_000_000;
        _data = SyntheticData.Generate(20_000, 5_000, ratings, explicitRatings: true, seed: 1);
        _backend = ComputeBackend.Create(Backend);
    }

    [GlobalCleanup]
    public void Cleanup() => _backend.Dispose();

    /// <summary>Rating updates per second follow as ratings ÷ mean time.</summary>
    [Benchmark]
    public float OneEpoch() => new SvdTrainer(SvdOptions.Defaults with { Epochs = 1 }, _backend).Fit(_data).GlobalMean;
}
