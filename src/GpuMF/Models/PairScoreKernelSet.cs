using GpuMF.Kernels.Scoring;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Models;

/// <summary>The pair-scoring kernel, compiled once per accelerator.</summary>
internal sealed class PairScoreKernelSet
{
    public PairScoreKernelSet(Accelerator accelerator)
    {
        Score = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PairScoreStep>(PairScoreKernels.Score);
    }

    /// <summary>(users, items, user factors, item factors, item bias, scores, step).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, PairScoreStep> Score { get; }
}
