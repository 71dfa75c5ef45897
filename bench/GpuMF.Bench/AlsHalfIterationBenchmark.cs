using BenchmarkDotNet.Attributes;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// One ALS half-iteration (<see cref="AlsOptions.Defaults"/>: 64 factors, α 8, λ 100): every user's row
/// solved against the fixed item factors, the Gram matrix of the items included, by either solver, on
/// seeded synthetic positives; setup and upload are not measured. Ratio: time over the
/// <see cref="BackendBenchmark.Cpu"/> baseline's for the same solver and input (a raw ratio, inputs equal);
/// users solved per second follow as the input's users ÷ Mean.
/// </summary>
[MemoryDiagnoser]
public class AlsHalfIterationBenchmark : BackendBenchmark
{
    private IAlsEngine? _engine;

    /// <summary>The positives: 50 × 50 with 250 (every backend) or ML-1M's size, 6,040 × 3,706 with 575k positives (no IlgpuCpu).</summary>
    [ParamsSource(nameof(Sizes))]
    public Workload Size { get; set; } = null!;

    /// <summary>Conjugate gradient (the default, 3 steps per row) or exact Cholesky.</summary>
    [Params(AlsSolver.ConjugateGradient, AlsSolver.Cholesky)]
    public AlsSolver Solver { get; set; }

    /// <summary>The inputs measured.</summary>
    public static IEnumerable<Workload> Sizes() =>
    [
        new(50, 50, 250, FitsIlgpuCpu: true),
        new(6_040, 3_706, 575_000, FitsIlgpuCpu: false),
    ];

    /// <inheritdoc />
    protected override IDisposable Prepare(ComputeBackend backend)
    {
        var data = Size.Generate(explicitRatings: false);
        var options = AlsOptions.Defaults with { Solver = Solver };
        var x = NormalFactors.Create(data.UserCount, options.Factors, options.InitStdDev, options.Seed, 1);
        var y = NormalFactors.Create(data.ItemCount, options.Factors, options.InitStdDev, options.Seed, 2);
        var problem = AlsProblem.Create(data, x, y, options);
        return _engine = backend.CreateEngine(new AlsEngineFactory(problem));
    }

    /// <summary>Solves the users; returns Σ|x_u|².</summary>
    protected override double Step() => _engine!.Solve(AlsSide.Users);
}
