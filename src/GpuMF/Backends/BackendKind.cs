namespace GpuMF.Backends;

/// <summary>Where training and scoring run.</summary>
public enum BackendKind
{
    /// <summary>The best present: CUDA, then OpenCL (GPU devices only), then <see cref="Cpu"/>.</summary>
    Auto,

    /// <summary>Managed code on the host: parallel loops and SIMD. The production path without a GPU and the reference the kernels are tested against.</summary>
    Cpu,

    /// <summary>ILGPU kernels on an NVIDIA GPU.</summary>
    Cuda,

    /// <summary>ILGPU kernels on an OpenCL 2.0+ GPU.</summary>
    OpenCL,

    /// <summary>ILGPU kernels on ILGPU's CPU accelerator, which simulates GPU threads: for testing kernels on small data only (tens of times slower than <see cref="Cpu"/>).</summary>
    IlgpuCpu,
}
