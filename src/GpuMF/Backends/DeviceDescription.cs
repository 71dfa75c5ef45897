namespace GpuMF.Backends;

/// <summary>One device a backend can run on.</summary>
/// <param name="Backend">The backend that drives it.</param>
/// <param name="Index">Its index among that backend's devices (for <see cref="ComputeBackend.Create"/>).</param>
/// <param name="Name">The device's own name.</param>
/// <param name="MemoryBytes">Device memory in bytes (host memory for the CPU backends).</param>
/// <param name="WarpSize">Threads per warp (1 for the managed CPU backend).</param>
/// <param name="MaxGroupSize">Most threads in one group.</param>
public sealed record DeviceDescription(BackendKind Backend, int Index, string Name, long MemoryBytes, int WarpSize, int MaxGroupSize);
