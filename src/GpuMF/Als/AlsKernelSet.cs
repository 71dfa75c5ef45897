using GpuMF.Kernels.Als;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Als;

/// <summary>The ALS kernels, compiled once per accelerator.</summary>
internal sealed class AlsKernelSet
{
    public AlsKernelSet(Accelerator accelerator)
    {
        Gram = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, GramStep>(GramKernels.Gram);
        CgRows = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CgStep>(ConjugateGradientKernels.Rows);
        CgInteractions = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CgStep>(ConjugateGradientKernels.Interactions);
        CholeskyShared = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(CholeskyKernels.SolveShared);
        CholeskyGlobal = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(CholeskyKernels.SolveGlobal);
        Loss = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(AlsLossKernels.Loss);
    }

    /// <summary>(factors, gram, step).</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, GramStep> Gram { get; }

    /// <summary>(gram, factors, r, p, Ap, rs, norms, step).</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CgStep> CgRows { get; }

    /// <summary>(segment rows, segment starts, ptr, idx, confidence, other, v, sums, rs, warp sums, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CgStep> CgInteractions { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, norms, step); needs k² + k floats of dynamic shared memory.</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> CholeskyShared { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, workspace, norms, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> CholeskyGlobal { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, scratch, loss, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> Loss { get; }
}
