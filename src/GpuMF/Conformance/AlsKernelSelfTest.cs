using System.Diagnostics;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Training;

namespace GpuMF.Conformance;

/// <summary>
/// The ALS kernels on an ILGPU backend against the managed CPU backend (and the Cholesky kernels against a
/// float64 solve) on seeded random problems: interaction values in [0.5, 3), some users and items with no
/// interactions, sizes that are not multiples of any warp or group size.
/// </summary>
public static class AlsKernelSelfTest
{
    /// <summary>Largest |a − b| / max(|b|, 1) the float32 results may show against their reference.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The Gram matrix of the item factors (as the user solve uses it) against the CPU backend's.</summary>
    public static SelfTestResult Gram(ComputeBackend backend, int rows, int factors, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var (problem, _) = RandomProblem(users: 3, rows, interactions: 5, factors, seed, AlsOptions.Defaults with { Factors = factors, Regularization = 0.75f });
        var clock = Stopwatch.StartNew();
        float[] device;
        using (var engine = new IlgpuAlsEngine(backend, problem))
        {
            device = engine.GramFor(AlsSide.Users);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var expected = new float[factors * factors];
        CpuAlsEngine.Gram(problem.ItemFactors, rows, factors, 0.75f, expected, 1);
        return new SelfTestResult("als-gram", $"{rows} rows, k={factors}", SelfTestResult.Compare(device, expected), Tolerance, seconds);
    }

    /// <summary>
    /// One half-iteration of each side with <paramref name="solver"/>, from the same random factors on both
    /// backends. Conjugate gradient is compared with the CPU backend's; Cholesky with a float64 solve of
    /// every row (<paramref name="globalMemory"/> forces its global-memory variant).
    /// </summary>
    public static SelfTestResult Solve(ComputeBackend backend, AlsSolver solver, int users, int items, int interactions, int factors, ulong seed, bool globalMemory = false)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var options = AlsOptions.Defaults with
        {
            Factors = factors,
            Solver = solver,
            Alpha = 2f,
            Regularization = 0.5f,
            Confidence = seed % 2 == 0 ? ConfidenceScaling.Log : ConfidenceScaling.Linear,
        };
        var (device, _) = RandomProblem(users, items, interactions, factors, seed, options);
        var clock = Stopwatch.StartNew();
        using (var engine = new IlgpuAlsEngine(backend, device, globalCholesky: globalMemory))
        {
            engine.Solve(AlsSide.Users);
            engine.Solve(AlsSide.Items);
            engine.CopyTo(device.UserFactors, device.ItemFactors);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var (expected, matrix) = RandomProblem(users, items, interactions, factors, seed, options);
        if (solver == AlsSolver.ConjugateGradient)
        {
            using var cpu = new CpuAlsEngine(expected, 1);
            cpu.Solve(AlsSide.Users);
            cpu.Solve(AlsSide.Items);
        }
        else
        {
            SolveExactly(expected, matrix, AlsSide.Users);
            SolveExactly(expected, matrix, AlsSide.Items);
        }
        double error = Math.Max(SelfTestResult.Compare(device.UserFactors, expected.UserFactors), SelfTestResult.Compare(device.ItemFactors, expected.ItemFactors));
        string name = solver == AlsSolver.ConjugateGradient ? "als-cg" : globalMemory ? "als-cholesky-global" : "als-cholesky";
        return new SelfTestResult(name, $"{users}u×{items}i, {interactions} interactions, k={factors}", error, Tolerance, seconds);
    }

    /// <summary>The objective's data term against the CPU backend's, as a relative error.</summary>
    public static SelfTestResult Loss(ComputeBackend backend, int users, int items, int interactions, int factors, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var options = AlsOptions.Defaults with { Factors = factors, Alpha = 3f, Regularization = 0.25f };
        var (problem, _) = RandomProblem(users, items, interactions, factors, seed, options);
        var clock = Stopwatch.StartNew();
        double device;
        using (var engine = new IlgpuAlsEngine(backend, problem))
        {
            device = engine.LossTerm();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        using var cpu = new CpuAlsEngine(problem, 1);
        double expected = cpu.LossTerm();
        double error = Math.Abs(device - expected) / Math.Max(Math.Abs(expected), 1.0);
        return new SelfTestResult("als-loss", $"{users}u×{items}i, {interactions} interactions, k={factors}", double.IsFinite(error) ? error : double.PositiveInfinity, Tolerance, seconds);
    }

    /// <summary>
    /// About <paramref name="interactions"/> distinct random pairs (repeats merge) with values in [0.5, 3),
    /// and N(0, 0.3²) factors, all from <paramref name="seed"/>.
    /// </summary>
    internal static (AlsProblem Problem, InteractionMatrix Matrix) RandomProblem(int users, int items, int interactions, int factors, ulong seed, AlsOptions options)
    {
        var rng = new XorShiftRandom(seed, 7);
        var u = new int[interactions];
        var i = new int[interactions];
        var v = new float[interactions];
        for (int n = 0; n < interactions; n++)
        {
            u[n] = rng.NextInt(users);
            i[n] = rng.NextInt(items);
            v[n] = 0.5f + 2.5f * rng.NextFloat();
        }
        var matrix = InteractionMatrix.FromIndices(
            new IdMap(Enumerable.Range(1, users).Select(x => (long)x)),
            new IdMap(Enumerable.Range(1, items).Select(x => (long)x)),
            u, i, v, DuplicatePolicy.KeepLast);
        var x = NormalFactors.Create(users, factors, 0.3f, seed, 1);
        var y = NormalFactors.Create(items, factors, 0.3f, seed, 2);
        return (AlsProblem.Create(matrix, x, y, options), matrix);
    }

    /// <summary>Solves every row of <paramref name="side"/> of <paramref name="problem"/> (built from <paramref name="matrix"/>) in float64 (<see cref="AlsFoldIn"/>), in place.</summary>
    internal static void SolveExactly(AlsProblem problem, InteractionMatrix matrix, AlsSide side)
    {
        var s = problem.Of(side);
        int k = problem.Options.Factors;
        var gram = AlsFoldIn.Gram(s.Other, s.OtherRows, k);
        var values = side == AlsSide.Users ? matrix.UserValues : matrix.ItemValues;
        for (int row = 0; row < s.Rows; row++)
        {
            var entries = new List<(int, float)>();
            for (int e = s.Ptr[row]; e < s.Ptr[row + 1]; e++)
            {
                entries.Add((s.Idx[e], values[e]));
            }
            AlsFoldIn.Solve(gram, s.Other, k, entries, problem.Options).CopyTo(s.Factors, (long)row * k);
        }
    }
}
