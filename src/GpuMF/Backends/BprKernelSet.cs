using GpuMF.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Backends;

/// <summary>The BPR kernel, compiled once per accelerator.</summary>
internal sealed class BprKernelSet
{
    public BprKernelSet(Accelerator accelerator)
    {
        Epoch = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, BprStep>(BprKernels.Epoch);
    }

    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<long>, BprStep> Epoch { get; }
}
