using GpuMF.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Backends;

/// <summary>The ALS kernels, compiled once per accelerator.</summary>
internal sealed class AlsKernelSet
{
    public AlsKernelSet(Accelerator accelerator)
    {
        Gram = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, GramStep>(GramKernels.Gram);
        ConjugateGradient = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(ConjugateGradientKernels.Solve);
        CholeskyShared = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(CholeskyKernels.SolveShared);
        CholeskyGlobal = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(CholeskyKernels.SolveGlobal);
        Loss = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep>(AlsLossKernels.Loss);
    }

    /// <summary>(factors, gram, step).</summary>
    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, GramStep> Gram { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, scratch, norms, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> ConjugateGradient { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, norms, step); needs k² + k floats of dynamic shared memory.</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> CholeskyShared { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, workspace, norms, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> CholeskyGlobal { get; }

    /// <summary>(ptr, idx, confidence, other, gram, factors, scratch, loss, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AlsStep> Loss { get; }
}
