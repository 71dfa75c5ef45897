using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Kernels.Pairwise;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Tests.Ranking;

/// <summary>One BPR and one WARP update on the CPU backend against central finite differences of the objective.</summary>
public sealed class PairwiseGradientTests
{
    // 11 factors: an 8-wide SIMD part and a scalar tail on AVX2 machines, all tail on narrower ones.
    private const int K = 11;
    private const float Reg = 0.03f;
    private const float Lr = 0.5f;

    // Positive item 1 of user 0 (who also has item 4); the rows' first five factors make item 4 violate but observed,
    // item 6 not violate, and item 7 violate: WARP must take item 7 after 3 trials.
    private static readonly float[] UserRow = [1f, 0.5f, -0.3f, 0.2f, 0.1f];
    private static readonly Dictionary<int, float[]> ItemRows = new()
    {
        [1] = [2f, 0.2f, 0.1f, 0f, 0.3f],
        [4] = [3f, 0f, 0f, 0f, 0f],
        [6] = [0f, 0.1f, 0.2f, 0.3f, 0f],
        [7] = [1.4f, 0.3f, 0f, 0.2f, -0.1f],
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BprStepDescendsTheLogSigmoidObjective(bool adagrad)
    {
        var settings = new BprOptions { Factors = K, Regularization = Reg, Schedule = Schedule(adagrad) }.ToSettings();
        var (problem, before) = Setup(settings);
        var stats = Run(problem, new PairwiseSamples([0], [1], [6], 1));

        double Objective(double[] t) => Softplus(-Score(t, 1, 6)) + Penalty(t, 1, 6);
        AssertStepIsMinusGradient(problem, before, Objective, 1, 6, adagrad);
        Assert.Equal(Softplus(-Score(before, 1, 6)), stats.Loss, 5);
        Assert.Equal(Score(before, 1, 6) > 0 ? 1 : 0, stats.Hits);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WarpStepDescendsTheRankWeightedHinge(bool adagrad)
    {
        var settings = new WarpOptions { Factors = K, Regularization = Reg, MaxSampled = 4, Schedule = Schedule(adagrad) }.ToSettings();
        var (problem, before) = Setup(settings);
        double threshold = Score(before, 1) - 1;
        Assert.True(Score(before, 4) > threshold && Score(before, 6) <= threshold && Score(before, 7) > threshold, "the fixture's scores no longer set up the case");

        var stats = Run(problem, new PairwiseSamples([0], [1], [4, 6, 7, 8], 4));

        // 3 trials among 9 items: rank estimate ⌊8/3⌋ = 2, weight L(2) = 1 + 1/2.
        double weight = PairwiseSgd.RankWeight(2);
        Assert.Equal(1.5, weight, 6);
        double Objective(double[] t) => weight * (1 - Score(t, 1) + Score(t, 7)) + Penalty(t, 1, 7);
        AssertStepIsMinusGradient(problem, before, Objective, 1, 7, adagrad);
        Assert.Equal(1, stats.Hits);
        Assert.Equal(3, stats.Trials);
        Assert.Equal(weight * (1 - Score(before, 1) + Score(before, 7)), stats.Loss, 5);
    }

    [Fact]
    public void WarpWithoutViolatorLeavesParametersAlone()
    {
        var settings = new WarpOptions { Factors = K, Regularization = Reg, MaxSampled = 2 }.ToSettings();
        var (problem, _) = Setup(settings);
        var p = problem.P.ToArray();
        var q = problem.Q.ToArray();
        var stats = Run(problem, new PairwiseSamples([0], [1], [4, 6], 2));
        Assert.Equal(0, stats.Hits);
        Assert.Equal(2, stats.Trials);
        Assert.Equal(p, problem.P);
        Assert.Equal(q, problem.Q);
    }

    [Fact]
    public void RankWeightIsTheHarmonicNumber()
    {
        Assert.Equal(0f, PairwiseSgd.RankWeight(0));
        foreach (int r in new[] { 1, 2, 16, 17, 100, 3705, 1_000_000 })
        {
            double exact = 0;
            for (int j = 1; j <= r; j++)
            {
                exact += 1.0 / j;
            }
            Assert.True(Math.Abs(PairwiseSgd.RankWeight(r) - exact) < 2e-6 * exact, $"L({r}) = {PairwiseSgd.RankWeight(r)}, expected {exact}");
        }
    }

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    private static LearningRateSchedule Schedule(bool adagrad) => adagrad ? LearningRateSchedule.Adagrad : LearningRateSchedule.ConstantWithDecay;

    /// <summary>Two users, nine items, the fixture's rows and biases; θ is (p_0, q_0…q_8, b_0…b_8) in doubles.</summary>
    private static (PairwiseProblem Problem, double[] Theta) Setup(PairwiseSettings settings)
    {
        var users = new IdMap([10, 11]);
        var items = new IdMap(Enumerable.Range(0, 9).Select(i => (long)i));
        var matrix = InteractionMatrix.FromIndices(users, items, [0, 0, 1], [1, 4, 2], [1f, 1f, 1f]);
        var problem = PairwiseRun.CreateProblem(settings, matrix);
        for (int f = 0; f < K; f++)
        {
            problem.P[f] = f < UserRow.Length ? UserRow[f] : Pad(f, 0);
            foreach (var (item, row) in ItemRows)
            {
                problem.Q[item * K + f] = f < row.Length ? row[f] : Pad(f, item);
            }
        }
        problem.ItemBias[1] = 0.1f;
        problem.ItemBias[6] = -0.05f;
        problem.ItemBias[7] = -0.2f;
        return (problem, Theta(problem));
    }

    /// <summary>Small fixed values for the factors beyond the fixture's first five.</summary>
    private static float Pad(int f, int row) => 0.03f * ((f * 7 + row) % 5 - 2);

    private static double[] Theta(PairwiseProblem problem) =>
        problem.P.Take(K).Concat(problem.Q).Concat(problem.ItemBias).Select(v => (double)v).ToArray();

    private static EpochResult Run(PairwiseProblem problem, PairwiseSamples samples)
    {
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        using var engine = cpu.CreateEngine(new PairwiseEngineFactory(problem, 0));
        var stats = engine.RunGiven(samples, Lr);
        engine.CopyTo(problem);
        return stats;
    }

    private static double Score(double[] t, int item, int? minus = null)
    {
        double s = t[K + 9 * K + item];
        for (int f = 0; f < K; f++)
        {
            s += t[f] * t[K + item * K + f];
        }
        return minus is { } j ? s - Score(t, j) : s;
    }

    /// <summary>λ/2 ‖θ‖² over the coordinates a step on (user 0, item i, item j) touches: p_0, q_i, q_j, b_i, b_j.</summary>
    private static double Penalty(double[] t, int i, int j)
    {
        double sum = 0;
        foreach (int c in Touched(i, j))
        {
            sum += t[c] * t[c];
        }
        return Reg / 2 * sum;
    }

    private static IEnumerable<int> Touched(int i, int j) =>
        Enumerable.Range(0, K)
            .Concat(Enumerable.Range(K + i * K, K))
            .Concat(Enumerable.Range(K + j * K, K))
            .Concat([K + 9 * K + i, K + 9 * K + j]);

    /// <summary>
    /// The step must be −η∇J on the coordinates of p_0, q_i, q_j, b_i, b_j (the first adagrad step has
    /// G = 1, so the same), leave every other coordinate alone, and under adagrad leave G = 1 + (∂J)².
    /// </summary>
    private static void AssertStepIsMinusGradient(PairwiseProblem problem, double[] before, Func<double[], double> objective, int i, int j, bool adagrad)
    {
        var after = Theta(problem);
        var touched = Touched(i, j).ToHashSet();
        foreach (int c in touched)
        {
            var plus = before.ToArray();
            var minus = before.ToArray();
            const double h = 1e-5;
            plus[c] += h;
            minus[c] -= h;
            double gradient = (objective(plus) - objective(minus)) / (2 * h);
            double step = (after[c] - before[c]) / Lr;
            Assert.True(Math.Abs(step + gradient) <= 1e-4 * Math.Max(1, Math.Abs(gradient)), $"coordinate {c}: step/η {step}, −∂J {-gradient}");
            if (adagrad)
            {
                double g = Accumulator(problem, c);
                Assert.True(Math.Abs(g - (1 + gradient * gradient)) <= 1e-4 * g, $"coordinate {c}: adagrad sum {g}, expected {1 + gradient * gradient}");
            }
        }
        for (int c = 0; c < before.Length; c++)
        {
            if (!touched.Contains(c))
            {
                Assert.Equal(before[c], after[c]);
            }
        }
    }

    private static double Accumulator(PairwiseProblem problem, int c) =>
        c < K ? problem.UserAccumulators![c]
        : c < K + 9 * K ? problem.ItemAccumulators![c - K]
        : problem.BiasAccumulators![c - K - 9 * K];
}
