using BenchmarkDotNet.Attributes;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Bench;

/// <summary>
/// One ALS iteration (items, then users) on the managed CPU backend, on synthetic positives the size of
/// the ML-1M implicit split (6,040 users × 3,706 items, 460k positives), at 64 factors: the Cholesky
/// solver against the conjugate-gradient baseline.
/// </summary>
[MemoryDiagnoser]
public class AlsIterationBenchmarks
{
    private CpuAlsEngine? _cg;
    private CpuAlsEngine? _cholesky;

    /// <summary>Generates the data and both engines (not measured).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var matrix = SyntheticData.Generate(6_040, 3_706, 460_000, explicitRatings: false, seed: 1);
        _cg = Engine(matrix, AlsSolver.ConjugateGradient);
        _cholesky = Engine(matrix, AlsSolver.Cholesky);
    }

    /// <summary>One iteration by conjugate gradient; returns the factor norms so that nothing is optimised away.</summary>
    [Benchmark(Baseline = true)]
    public double ConjugateGradient() => _cg!.Solve(AlsSide.Items) + _cg.Solve(AlsSide.Users);

    /// <summary>One iteration by Cholesky.</summary>
    [Benchmark]
    public double Cholesky() => _cholesky!.Solve(AlsSide.Items) + _cholesky.Solve(AlsSide.Users);

    /// <summary>Releases the engines.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cg?.Dispose();
        _cholesky?.Dispose();
    }

    private static CpuAlsEngine Engine(InteractionMatrix matrix, AlsSolver solver)
    {
        var options = AlsOptions.Defaults with { Solver = solver };
        var x = NormalFactors.Create(matrix.UserCount, options.Factors, options.InitStdDev, options.Seed, 1);
        var y = NormalFactors.Create(matrix.ItemCount, options.Factors, options.InitStdDev, options.Seed, 2);
        return new CpuAlsEngine(AlsProblem.Create(matrix, x, y, options), Environment.ProcessorCount);
    }
}
