using BenchmarkDotNet.Attributes;
using GpuMF.Backends;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// One SGD epoch of biased MF (<see cref="SvdOptions.Defaults"/>: 64 factors, step 0.03 without decay)
/// over seeded synthetic ratings in a shuffled order, as <see cref="SvdTrainer"/> runs it; setup, upload
/// and kernel loading are not measured. The epochs go on from one invocation to the next, as training does.
/// Ratio: time over the <see cref="BackendBenchmark.Cpu"/> baseline's on the same input (a raw ratio, inputs
/// equal); rating updates per second follow as the input's ratings ÷ Mean.
/// </summary>
[MemoryDiagnoser]
public class SgdEpochBenchmark : BackendBenchmark
{
    private ISgdEngine? _engine;
    private int _epoch;

    /// <summary>The ratings: 2,000 × 1,000 with 20k (every backend) or ML-1M's size, 6,040 × 3,706 with 1M ratings (no IlgpuCpu).</summary>
    [ParamsSource(nameof(Sizes))]
    public Workload Size { get; set; } = null!;

    /// <summary>The inputs measured.</summary>
    public static IEnumerable<Workload> Sizes() =>
    [
        new(2_000, 1_000, 20_000, FitsIlgpuCpu: true),
        new(6_040, 3_706, 1_000_000, FitsIlgpuCpu: false),
    ];

    /// <inheritdoc />
    protected override IDisposable Prepare(ComputeBackend backend)
    {
        var data = Size.Generate(explicitRatings: true);
        var options = SvdOptions.Defaults;
        var problem = SgdProblem.Shuffled(
            data,
            options,
            NormalFactors.Create(data.UserCount, options.Factors, options.InitStdDev, options.Seed, 1),
            NormalFactors.Create(data.ItemCount, options.Factors, options.InitStdDev, options.Seed, 2),
            new float[data.UserCount],
            new float[data.ItemCount]);
        return _engine = backend.CreateEngine(new SgdEngineFactory(problem));
    }

    /// <summary>One epoch; returns its sum of squared errors.</summary>
    protected override double Step() => _engine!.RunEpoch(_epoch++, SvdOptions.Defaults.LearningRate).Loss;
}
