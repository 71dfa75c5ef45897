using GpuMF.Backends;
using ILGPU;
using ILGPU.Runtime;

namespace GpuMF.TopN;

/// <summary>
/// A <see cref="TopNProblem"/>'s arrays on the device, uploaded once per engine: factors, biases, allow
/// flags (1 or 0) and exclusion lists, each a one-element placeholder where the problem has none.
/// </summary>
internal sealed class DeviceTopNInputs : IDisposable
{
    public DeviceTopNInputs(ComputeBackend backend, TopNProblem problem)
    {
        Queries = backend.Upload(problem.Queries, "query factors");
        Candidates = backend.Upload(problem.Candidates, "candidate factors");
        Bias = backend.Upload(problem.CandidateBias ?? [0f], "candidate biases");
        Allowed = backend.Upload(problem.Allowed is null ? [1] : Array.ConvertAll(problem.Allowed, a => a ? 1 : 0), "allowed candidates");
        ExcludePtr = backend.Upload(problem.ExcludePtr ?? [0], "exclusion offsets");
        Excluded = backend.Upload(problem.Excluded is { Length: > 0 } ex ? ex : [0], "exclusions");
    }

    public MemoryBuffer1D<float, Stride1D.Dense> Queries { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Candidates { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Bias { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> Allowed { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> ExcludePtr { get; }

    public MemoryBuffer1D<int, Stride1D.Dense> Excluded { get; }

    /// <summary>The device memory the inputs of <paramref name="problem"/> take.</summary>
    public static DeviceFootprint Footprint(TopNProblem problem) =>
        new DeviceFootprint().Add(problem.Queries).Add(problem.Candidates).Add(problem.CandidateBias).Add<int>(problem.Allowed?.LongLength ?? 1)
            .Add(problem.ExcludePtr).Add(problem.Excluded);

    public void Dispose()
    {
        Queries.Dispose();
        Candidates.Dispose();
        Bias.Dispose();
        Allowed.Dispose();
        ExcludePtr.Dispose();
        Excluded.Dispose();
    }
}
