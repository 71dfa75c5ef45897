using BenchmarkDotNet.Attributes;
using GpuMF.Backends;

namespace GpuMF.Bench;

/// <summary>
/// The frame every backend comparison shares: one benchmark method per backend, all running the same
/// <see cref="Step"/>, with the managed CPU backend (<see cref="Cpu"/>) as the baseline, so that the
/// summary's Ratio column gives each backend's time over the CPU backend's on the same input, in the
/// same run. <see cref="BackendConfig"/> drops the methods of GPU backends that are not present and
/// runs <see cref="IlgpuCpu"/> on small inputs only; the CPU baseline runs on every input, so that
/// every ratio compares equal inputs.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs only the global setup that targets the case's method, so each case sets up the
/// one backend it measures. A derived class declares its input as a <see cref="Workload"/> parameter and
/// builds everything in <see cref="Prepare"/>, which is not measured.
/// </remarks>
[Config(typeof(BackendConfig))]
public abstract class BackendBenchmark
{
    private ComputeBackend? _backend;
    private IDisposable? _state;

    /// <summary>Sets up the managed CPU backend with every core.</summary>
    [GlobalSetup(Target = nameof(Cpu))]
    public void SetupCpu() => Setup(BackendKind.Cpu);

    /// <summary>Sets up ILGPU's CPU accelerator.</summary>
    [GlobalSetup(Target = nameof(IlgpuCpu))]
    public void SetupIlgpuCpu() => Setup(BackendKind.IlgpuCpu);

    /// <summary>Sets up the first CUDA device.</summary>
    [GlobalSetup(Target = nameof(Cuda))]
    public void SetupCuda() => Setup(BackendKind.Cuda);

    /// <summary>Sets up the first OpenCL device.</summary>
    [GlobalSetup(Target = nameof(OpenCL))]
    public void SetupOpenCL() => Setup(BackendKind.OpenCL);

    /// <summary>Releases what <see cref="Prepare"/> built, then the backend.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _state?.Dispose();
        _backend?.Dispose();
    }

    /// <summary>The step on the managed CPU backend: the baseline of the Ratio column.</summary>
    [Benchmark(Baseline = true)]
    public double Cpu() => Step();

    /// <summary>The step's ILGPU kernels on ILGPU's CPU accelerator (small inputs only).</summary>
    [Benchmark]
    public double IlgpuCpu() => Step();

    /// <summary>The step's ILGPU kernels on a CUDA GPU, when one is present.</summary>
    [Benchmark]
    public double Cuda() => Step();

    /// <summary>The step's ILGPU kernels on an OpenCL GPU, when one is present.</summary>
    [Benchmark]
    public double OpenCL() => Step();

    /// <summary>Builds the input and the engine that runs the step on <paramref name="backend"/>; returns what <see cref="Cleanup"/> disposes, if anything.</summary>
    protected abstract IDisposable? Prepare(ComputeBackend backend);

    /// <summary>Runs the measured step once; returns a number computed from its result, so that nothing is optimised away.</summary>
    protected abstract double Step();

    private void Setup(BackendKind kind)
    {
        _backend = ComputeBackend.Create(kind);
        _state = Prepare(_backend);
    }
}
