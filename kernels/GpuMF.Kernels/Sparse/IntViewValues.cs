using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuMF.Kernels.Sparse;

/// <summary>The ints of an ArrayView, as <see cref="IIntValues"/>.</summary>
public readonly struct IntViewValues : IIntValues
{
    private readonly ArrayView<int> _values;

    /// <summary>Reads <paramref name="values"/>.</summary>
    public IntViewValues(ArrayView<int> values) => _values = values;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int At(int position) => _values[position];
}
