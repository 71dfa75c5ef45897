using GpuMF.Kernels.TopN;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.TopN;

/// <summary>The top-N kernels, compiled once per accelerator.</summary>
internal sealed class TopNKernelSet
{
    public TopNKernelSet(Accelerator accelerator)
    {
        ScoreTile = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TopNTile>(TopNKernels.ScoreTile);
        SelectTile = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, TopNTile>(TopNKernels.SelectTile);
        SortRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, TopNTile>(TopNKernels.SortRows);
    }

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, TopNTile> ScoreTile { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<int>, TopNTile> SelectTile { get; }

    public Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, TopNTile> SortRows { get; }
}
