using System.Runtime.InteropServices;

namespace GpuMF.Pairwise;

/// <summary>
/// The arrays a managed CPU engine reads through pointers in its hot loops, pinned for the engine's life and freed
/// together (<see cref="Dispose"/>), and the copies between a problem's dense rows and an engine's strided ones.
/// </summary>
internal sealed unsafe class PinnedArrays : IDisposable
{
    private readonly List<GCHandle> _pins = [];

    /// <summary>Pins <paramref name="array"/> until <see cref="Dispose"/>; null for a null array.</summary>
    public T* Pin<T>(T[]? array) where T : unmanaged
    {
        if (array is null)
        {
            return null;
        }
        var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        _pins.Add(handle);
        return (T*)handle.AddrOfPinnedObject();
    }

    /// <summary>Unpins every array pinned so far.</summary>
    public void Dispose()
    {
        foreach (var pin in _pins)
        {
            pin.Free();
        }
        _pins.Clear();
    }

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="width"/> floats from <paramref name="source"/>, when set, to <paramref name="to"/>, <paramref name="stride"/> floats apart.</summary>
    public static void CopyIn(float[]? source, int width, float* to, int rows, int stride)
    {
        if (source is null)
        {
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            source.AsSpan(r * width, width).CopyTo(new Span<float>(to + ((long)r * stride), width));
        }
    }

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="width"/> floats, <paramref name="stride"/> floats apart from <paramref name="from"/>, to <paramref name="to"/> when both are set.</summary>
    public static void CopyOut(float* from, int stride, float[]? to, int width, int rows)
    {
        if (from == null || to is null)
        {
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(from + ((long)r * stride), width).CopyTo(to.AsSpan(r * width, width));
        }
    }
}
