using BenchmarkDotNet.Attributes;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Models;
using GpuMF.TopN;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// <see cref="FactorModel.RecommendAll(IReadOnlyList{long}?, int, bool, TopN.ItemFilter?, Backends.ComputeBackend?)"/>: the top 10 items of every user, each user's seen items left
/// out, for a synthetic model (64 random normal factors per user and item, no bias; the seen items are the
/// input's positives), through a <see cref="BatchScorer"/> with the top-N <see cref="Kernel"/> under test.
/// Each call does what a scoring job's call does: on an ILGPU backend it uploads the
/// model first; on the CPU backend it reuses the packed item factors the first call made. Building the
/// model is not measured. Ratio: time over the
/// <see cref="BackendBenchmark.Cpu"/> baseline's on the same input (a raw ratio, inputs equal); users per
/// second follow as the input's users ÷ Mean.
/// </summary>
[MemoryDiagnoser]
public class TopNBenchmark : BackendBenchmark
{
    private FactorModel? _model;
    private ComputeBackend? _backend;

    /// <summary>Users × items with their seen items: 200 × 100 with 2k seen (every backend) or ML-1M's size, 6,040 × 3,706 with 575k seen (no IlgpuCpu).</summary>
    [ParamsSource(nameof(Sizes))]
    public Workload Size { get; set; } = null!;

    /// <summary>
    /// The device kernels of an ILGPU backend: the blocked default, or the fused kernel (opt-in). The CPU
    /// backend has one path, so its two rows time the same thing and each ratio has its baseline.
    /// </summary>
    [Params(TopNKernel.Blocked, TopNKernel.Fused)]
    public TopNKernel Kernel { get; set; }

    /// <summary>The inputs measured.</summary>
    public static IEnumerable<Workload> Sizes() =>
    [
        new(200, 100, 2_000, FitsIlgpuCpu: true),
        new(6_040, 3_706, 575_000, FitsIlgpuCpu: false),
    ];

    /// <inheritdoc />
    protected override IDisposable? Prepare(ComputeBackend backend)
    {
        const int factors = 64;
        var seen = Size.Generate(explicitRatings: false);
        _model = new FactorModel(
            ModelKind.Als,
            seen.Users,
            seen.Items,
            factors,
            NormalFactors.Create(seen.UserCount, factors, 0.1f, 1, 1),
            NormalFactors.Create(seen.ItemCount, factors, 0.1f, 1, 2),
            null,
            null,
            0f,
            seen.UserPtr,
            seen.UserItems,
            AlsOptions.Defaults.ToJson());
        _backend = backend;
        return null;
    }

    /// <summary>Scores every user; returns the first user's best score.</summary>
    protected override double Step()
    {
        using var scorer = BatchScorer.ForRecommendations(_model!, _backend, filterSeen: true, kernel: Kernel);
        return scorer.ScoreAll(10).Scores(0)[0];
    }
}
