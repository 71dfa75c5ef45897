using GpuMF.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Backends;

/// <summary>The WARP kernel, compiled once per accelerator.</summary>
internal sealed class WarpKernelSet
{
    public WarpKernelSet(Accelerator accelerator)
    {
        Epoch = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WarpStep>(WarpKernels.Epoch);
    }

    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, WarpStep> Epoch { get; }
}
