using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuMF.Kernels.TopN;

/// <summary>
/// A heap's slots in device memory: slot s at <c>scores[at + s]</c> and <c>indices[at + s]</c>, as the
/// top-N kernels keep one heap of N slots per query row.
/// </summary>
public readonly struct TopNViewHeap : ITopNHeapStorage
{
    private readonly ArrayView<float> _scores;
    private readonly ArrayView<int> _indices;
    private readonly long _at;

    /// <summary>The heap whose slot 0 is element <paramref name="at"/> of both views.</summary>
    public TopNViewHeap(ArrayView<float> scores, ArrayView<int> indices, long at)
    {
        _scores = scores;
        _indices = indices;
        _at = at;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Score(int slot) => _scores[_at + slot];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Index(int slot) => _indices[_at + slot];

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(int slot, float score, int index)
    {
        _scores[_at + slot] = score;
        _indices[_at + slot] = index;
    }
}
