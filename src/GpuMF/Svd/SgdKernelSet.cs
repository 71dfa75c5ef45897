using GpuMF.Kernels.Svd;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Svd;

/// <summary>The SGD kernels, compiled once per accelerator.</summary>
internal sealed class SgdKernelSet
{
    public SgdKernelSet(Accelerator accelerator)
    {
        Epoch = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdStep>(SgdKernels.Epoch);
    }

    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdStep> Epoch { get; }
}
