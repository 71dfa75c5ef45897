namespace GpuMF.Kernels.Sparse;

/// <summary>
/// Read access to a run of ints by position, for <see cref="SortedRange"/>: an ArrayView in a kernel
/// (<see cref="IntViewValues"/>), memory of the managed CPU backend there. Implemented by structs only,
/// whose reads the JIT and ILGPU inline.
/// </summary>
public interface IIntValues
{
    /// <summary>The int at <paramref name="position"/>.</summary>
    int At(int position);
}
