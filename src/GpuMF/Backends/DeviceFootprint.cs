using System.Runtime.CompilerServices;

namespace GpuMF.Backends;

/// <summary>
/// The device memory a job will allocate, added up buffer by buffer (as <see cref="ComputeBackend.Allocate{T}"/>
/// sizes them: at least one element each) before any is allocated, for <see cref="ComputeBackend.EnsureFits"/>.
/// </summary>
internal sealed class DeviceFootprint
{
    /// <summary>Bytes so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Adds a buffer of <paramref name="length"/> elements.</summary>
    public DeviceFootprint Add<T>(long length) where T : unmanaged
    {
        Bytes += Math.Max(1, length) * Unsafe.SizeOf<T>();
        return this;
    }

    /// <summary>Adds the buffer an upload of <paramref name="array"/> takes (one element for a null or empty one).</summary>
    public DeviceFootprint Add<T>(T[]? array) where T : unmanaged => Add<T>(array?.LongLength ?? 1);
}
