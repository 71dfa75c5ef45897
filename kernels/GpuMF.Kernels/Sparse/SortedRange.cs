using System.Runtime.CompilerServices;
using ILGPU;

namespace GpuMF.Kernels.Sparse;

/// <summary>
/// Membership in an ascending slice, such as a CSR row of a user's seen items: one binary search that the
/// kernels run over ArrayViews and the managed CPU backend over its own memory.
/// </summary>
public static class SortedRange
{
    /// <summary>True when the ascending slice [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="values"/> holds <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Contains<TValues>(TValues values, int start, int end, int value)
        where TValues : struct, IIntValues
    {
        int lo = start;
        int hi = end;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            int v = values.At(mid);
            if (v == value)
            {
                return true;
            }
            if (v < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return false;
    }

    /// <summary>True when the ascending slice [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="values"/> holds <paramref name="value"/>.</summary>
    public static bool Contains(ArrayView<int> values, int start, int end, int value) =>
        Contains(new IntViewValues(values), start, end, value);
}
