using GpuMF.Kernels.Pairwise;
using GpuMF.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.Pairwise;

/// <summary>The hybrid BPR and WARP kernels of one accelerator, each compiled on first use and then kept.</summary>
internal sealed class HybridKernelSet(Accelerator accelerator)
{
    private Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, HybridSide, HybridSide, HybridTables, ArrayView<float>, ArrayView<float>, ArrayView<long>, PairwiseStep>? _bpr;
    private Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, HybridSide, HybridSide, HybridTables, ArrayView<float>, ArrayView<float>, ArrayView<long>, PairwiseStep>? _warp;

    /// <summary>The epoch kernel of <paramref name="kind"/> (<see cref="ModelKind.Bpr"/> or <see cref="ModelKind.Warp"/>).</summary>
    public Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, HybridSide, HybridSide, HybridTables, ArrayView<float>, ArrayView<float>, ArrayView<long>, PairwiseStep> Epoch(ModelKind kind) => kind == ModelKind.Bpr
        ? _bpr ??= accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, HybridSide, HybridSide, HybridTables, ArrayView<float>, ArrayView<float>, ArrayView<long>, PairwiseStep>(HybridKernels.BprEpoch)
        : _warp ??= accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, HybridSide, HybridSide, HybridTables, ArrayView<float>, ArrayView<float>, ArrayView<long>, PairwiseStep>(HybridKernels.WarpEpoch);
}
