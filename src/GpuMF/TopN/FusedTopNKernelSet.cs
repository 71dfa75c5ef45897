using GpuMF.Kernels.TopN;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.TopN;

/// <summary>
/// The fused top-N kernels (<see cref="FusedTopNKernels"/>), compiled once per accelerator for the widest
/// group it runs: 16 × 16 threads, or 8 × 8 or 4 × 4 where groups hold fewer than 256 or 64 threads.
/// </summary>
internal sealed class FusedTopNKernelSet
{
    public FusedTopNKernelSet(Accelerator accelerator)
    {
        Side = accelerator.MaxNumThreadsPerGroup >= 256 ? 16 : accelerator.MaxNumThreadsPerGroup >= 64 ? 8 : 4;
        (OnChip, InMemory) = Side switch
        {
            16 => (Load(accelerator, FusedTopNKernels.OnChip<TileSide16>), Load(accelerator, FusedTopNKernels.InMemory<TileSide16>)),
            8 => (Load(accelerator, FusedTopNKernels.OnChip<TileSide8>), Load(accelerator, FusedTopNKernels.InMemory<TileSide8>)),
            _ => (Load(accelerator, FusedTopNKernels.OnChip<TileSide4>), Load(accelerator, FusedTopNKernels.InMemory<TileSide4>)),
        };
        MergeSlices = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch>(FusedTopNKernels.MergeSlices);
    }

    /// <summary>Threads along each side of a group; groups hold Side² threads and own 8·Side rows and candidates per tile.</summary>
    public int Side { get; }

    /// <summary>Query rows (and candidates per tile) of one group.</summary>
    public int Span => Side * FusedTopNKernels.PerThread;

    /// <summary><see cref="FusedTopNKernels.OnChip{TSide}"/> for this accelerator's side.</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch> OnChip { get; }

    /// <summary><see cref="FusedTopNKernels.InMemory{TSide}"/> for this accelerator's side.</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch> InMemory { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch> MergeSlices { get; }

    private static Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch> Load(
        Accelerator accelerator,
        Action<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, FusedTopNLaunch> kernel) =>
        accelerator.LoadStreamKernel(kernel);
}
