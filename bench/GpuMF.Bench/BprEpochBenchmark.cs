using BenchmarkDotNet.Attributes;
using GpuMF.Backends;
using GpuMF.Pairwise;

namespace GpuMF.Bench;

/// <summary>
/// One BPR epoch (<see cref="BprOptions.Defaults"/>: 64 factors, adagrad at 0.1, item bias, observed
/// negatives redrawn), one sampled triple per positive, on seeded synthetic positives; setup and upload are
/// not measured. The epochs go on from one invocation to the next, as training does. Ratio: time over the
/// <see cref="BackendBenchmark.Cpu"/> baseline's on the same input (a raw ratio, inputs equal); triples per
/// second follow as the input's positives ÷ Mean.
/// </summary>
[MemoryDiagnoser]
public class BprEpochBenchmark : BackendBenchmark
{
    private IPairwiseEngine? _engine;
    private float _learningRate;
    private int _epoch;

    /// <summary>The positives.</summary>
    [ParamsSource(nameof(Sizes))]
    public Workload Size { get; set; } = null!;

    /// <summary>The inputs measured (<see cref="Workload.Pairwise"/>).</summary>
    public static IEnumerable<Workload> Sizes() => Workload.Pairwise();

    /// <inheritdoc />
    protected override IDisposable Prepare(ComputeBackend backend)
    {
        var settings = BprOptions.Defaults.ToSettings();
        _learningRate = settings.LearningRate;
        var problem = PairwiseRun.CreateProblem(settings, Size.Generate(explicitRatings: false));
        return _engine = backend.CreateEngine(new PairwiseEngineFactory(problem));
    }

    /// <summary>One epoch; returns its summed loss.</summary>
    protected override double Step() => _engine!.RunEpoch(_epoch++, _learningRate).Loss;
}
