namespace GpuMF.Kernels.TopN;

/// <summary>
/// The slots of one bounded heap for <see cref="TopNHeap"/>: slot s holds a (score, index) pair, slot 0 the
/// root. Implemented by structs only, whose methods the JIT and ILGPU inline into the heap's rules.
/// </summary>
public interface ITopNHeapStorage
{
    /// <summary>The score in slot <paramref name="slot"/>.</summary>
    float Score(int slot);

    /// <summary>The candidate index in slot <paramref name="slot"/>.</summary>
    int Index(int slot);

    /// <summary>Stores (score, index) in slot <paramref name="slot"/>.</summary>
    void Put(int slot, float score, int index);
}
