using BenchmarkDotNet.Attributes;
using GpuMF.Backends;
using GpuMF.Pairwise;

namespace GpuMF.Bench;

/// <summary>
/// One WARP epoch (<see cref="WarpOptions.Defaults"/>: 64 factors, adagrad, item bias, up to 10 negatives
/// scored per positive) on seeded synthetic positives; setup and upload are not measured. An epoch's cost
/// depends on the model (a better model needs more draws to find a violating negative), so every backend
/// starts from the same model, trained beforehand on the managed CPU for the default 25 epochs, and the
/// measured epochs run at step size 0: they draw, score and apply every update as training does, but
/// leave the model where it is, so that each costs the same however many BenchmarkDotNet runs. Ratio:
/// time over the <see cref="BackendBenchmark.Cpu"/> baseline's on the same input (a raw ratio, inputs
/// equal); positives per second follow as the input's positives ÷ Mean.
/// </summary>
[MemoryDiagnoser]
public class WarpEpochBenchmark : BackendBenchmark
{
    private IPairwiseEngine? _engine;
    private int _epoch;

    /// <summary>The positives.</summary>
    [ParamsSource(nameof(Sizes))]
    public Workload Size { get; set; } = null!;

    /// <summary>The inputs measured (<see cref="Workload.Pairwise"/>).</summary>
    public static IEnumerable<Workload> Sizes() => Workload.Pairwise();

    /// <inheritdoc />
    protected override IDisposable Prepare(ComputeBackend backend)
    {
        var settings = WarpOptions.Defaults.ToSettings();
        var problem = PairwiseRun.CreateProblem(settings, Size.Generate(explicitRatings: false));
        using (var pretraining = new CpuWarpEngine(problem, Environment.ProcessorCount))
        {
            for (; _epoch < settings.Epochs; _epoch++)
            {
                pretraining.RunEpoch(_epoch, settings.LearningRate);
            }
            pretraining.CopyTo(problem);
        }
        return _engine = backend.CreateEngine(new PairwiseEngineFactory(problem));
    }

    /// <summary>One epoch at step size 0; returns its summed loss.</summary>
    protected override double Step() => _engine!.RunEpoch(_epoch++, 0f).Loss;
}
