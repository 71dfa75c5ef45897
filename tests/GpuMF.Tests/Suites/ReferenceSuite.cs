using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Kernels.Sampling;
using GpuMF.Svd;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Suites;

/// <summary>
/// The training objectives of one backend against references written here from the models' definitions, not
/// from the engines: SVD's SGD update rules as a plain loop, and ALS's objective summed over every (user, item) cell.
/// </summary>
public abstract class ReferenceSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    /// <summary>
    /// Three epochs of SGD with one worker (one CPU thread, one ILGPU warp), which takes the ratings in the
    /// epoch's affine order, against a scalar loop in double precision over the same order: for each rating,
    /// e = r − (μ + b_u + b_i + p_u·q_i), then p_u += η(e·q_i − λp_u), q_i += η(e·p_u − λq_i) (both from the old
    /// values), b_u += η(e − λ_b·b_u), b_i += η(e − λ_b·b_i); η decays by 0.9 an epoch. Sizes are no multiple of any warp size.
    /// </summary>
    [BackendTheory]
    [InlineData(5, 3, 11, 1)]
    [InlineData(37, 23, 301, 19)]
    [InlineData(13, 41, 203, 7)]
    [InlineData(29, 11, 97, 37)]
    public void SgdEpochsFollowTheScalarUpdateRules(int users, int items, int ratings, int factors)
    {
        var options = new SvdOptions { Factors = factors, Seed = (ulong)ratings, Regularization = 0.04f, BiasRegularization = 0.01f };
        var rng = new XorShiftRandom((ulong)(users * 31 + factors), 5);
        var u = new int[ratings];
        var i = new int[ratings];
        var r = new float[ratings];
        for (int n = 0; n < ratings; n++)
        {
            u[n] = rng.NextInt(users);
            i[n] = rng.NextInt(items);
            r[n] = 1 + rng.NextInt(5);
        }
        float[] Draw(int length, float scale) => Enumerable.Range(0, length).Select(_ => scale * rng.NextGaussian()).ToArray();
        var (p, q, bu, bi) = (Draw(users * factors, 0.1f), Draw(items * factors, 0.1f), Draw(users, 0.05f), Draw(items, 0.05f));
        const float mean = 3.5f;
        const int epochs = 3;
        var problem = new SgdProblem((int[])u.Clone(), (int[])i.Clone(), (float[])r.Clone(), users, items, (float[])p.Clone(), (float[])q.Clone(), (float[])bu.Clone(), (float[])bi.Clone(), mean, options);
        var losses = new double[epochs];
        using (var engine = Backend.CreateEngine(new OneWorker(problem)))
        {
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                losses[epoch] = engine.RunEpoch(epoch, LearningRate(epoch)).Loss;
            }
            engine.CopyTo(problem.P, problem.Q, problem.UserBias, problem.ItemBias);
        }

        double[] P = [.. p.Select(x => (double)x)], Q = [.. q.Select(x => (double)x)], Bu = [.. bu.Select(x => (double)x)], Bi = [.. bi.Select(x => (double)x)];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lr = LearningRate(epoch);
            double squares = 0;
            var order = AffinePermutation.Random(ratings, options.Seed, epoch, 0);
            for (long t = 0; t < ratings; t++)
            {
                long at = (order.A * t + order.B) % ratings;
                int pu = u[at] * factors, qi = i[at] * factors;
                double prediction = mean + Bu[u[at]] + Bi[i[at]];
                for (int f = 0; f < factors; f++)
                {
                    prediction += P[pu + f] * Q[qi + f];
                }
                double e = r[at] - prediction;
                for (int f = 0; f < factors; f++)
                {
                    (double pf, double qf) = (P[pu + f], Q[qi + f]);
                    P[pu + f] = pf + lr * (e * qf - options.Regularization * pf);
                    Q[qi + f] = qf + lr * (e * pf - options.Regularization * qf);
                }
                Bu[u[at]] += lr * (e - options.BiasRegularization * Bu[u[at]]);
                Bi[i[at]] += lr * (e - options.BiasRegularization * Bi[i[at]]);
                squares += e * e;
            }
            Assert.True(Math.Abs(losses[epoch] - squares) <= 1e-4 * squares, $"epoch {epoch + 1}: squared errors {losses[epoch]}, reference {squares}");
        }
        Assert.True(SelfTestResult.Compare(problem.P, ToFloats(P)) < 1e-4, "user factors");
        Assert.True(SelfTestResult.Compare(problem.Q, ToFloats(Q)) < 1e-4, "item factors");
        Assert.True(SelfTestResult.Compare(problem.UserBias, ToFloats(Bu)) < 1e-4, "user biases");
        Assert.True(SelfTestResult.Compare(problem.ItemBias, ToFloats(Bi)) < 1e-4, "item biases");
    }

    /// <summary>
    /// The loss ALS reports with <see cref="AlsOptions.ComputeLoss"/> against its definition summed densely over
    /// every cell: Σ_ui c_ui (p_ui − x_u·y_i)² + λ(|X|² + |Y|²), p_ui = 1 and c_ui = 1 + α·f(r_ui) where an
    /// interaction is, p_ui = 0 and c_ui = 1 elsewhere, divided by Σ_ui c_ui. With Cholesky, each half-iteration
    /// minimises it exactly, so it never rises.
    /// </summary>
    [BackendTheory]
    [InlineData(AlsSolver.ConjugateGradient)]
    [InlineData(AlsSolver.Cholesky)]
    public void AlsReportsItsObjectiveSummedOverEveryCell(AlsSolver solver)
    {
        var (users, items, interactions, factors, iterations) = fixture.Simulated ? (11, 7, 30, 3, 3) : (200, 120, 2500, 10, 6);
        var options = new AlsOptions { Factors = factors, Iterations = iterations, Solver = solver, ComputeLoss = true, Alpha = 3f, Regularization = 0.25f, Confidence = ConfidenceScaling.Log };
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users, items, interactions, factors, seed: 6, options);
        var losses = new List<double>();
        var model = new AlsTrainer(options, Backend).Fit(matrix, new SyncProgress<EpochReport>(r => losses.Add(r.TrainLoss)));

        double sum = 0, weight = 0;
        for (int u = 0; u < users; u++)
        {
            var rated = matrix.ItemsOf(u).ToArray();
            var values = matrix.ValuesOf(u).ToArray();
            for (int i = 0; i < items; i++)
            {
                int at = Array.IndexOf(rated, i);
                double c = at >= 0 ? options.ConfidenceOf(values[at]) : 1;
                double s = 0;
                for (int f = 0; f < factors; f++)
                {
                    s += (double)model.UserFactors[u * factors + f] * model.ItemFactors[i * factors + f];
                }
                sum += c * ((at >= 0 ? 1 : 0) - s) * ((at >= 0 ? 1 : 0) - s);
                weight += c;
            }
        }
        sum += options.Regularization * (model.UserFactors.Sum(x => (double)x * x) + model.ItemFactors.Sum(x => (double)x * x));
        double expected = sum / weight;
        Assert.Equal(iterations, losses.Count);
        Assert.True(Math.Abs(losses[^1] - expected) <= 1e-4 * expected, $"reported {losses[^1]}, dense sum {expected}");
        if (solver == AlsSolver.Cholesky)
        {
            for (int n = 1; n < losses.Count; n++)
            {
                Assert.True(losses[n] <= losses[n - 1] * (1 + 1e-5), $"loss rose from {losses[n - 1]} to {losses[n]} at iteration {n + 1}");
            }
            Assert.True(losses[^1] < losses[0]);
        }
    }

    private static float LearningRate(int epoch) => 0.05f * MathF.Pow(0.9f, epoch);

    private static float[] ToFloats(double[] values) => [.. values.Select(v => (float)v)];

    /// <summary>The SGD engine with a single worker on any backend: one CPU thread, or one ILGPU warp.</summary>
    private sealed class OneWorker(SgdProblem problem) : IEngineFactory<ISgdEngine>
    {
        public ISgdEngine ForManagedCpu(int threads) => new CpuSgdEngine(problem, 1);

        public ISgdEngine ForIlgpu(ComputeBackend backend) => new IlgpuSgdEngine(backend, problem, warps: 1);
    }
}

public sealed class CpuReferenceSuite(CpuFixture fixture) : ReferenceSuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuReferenceSuite(IlgpuCpuFixture fixture) : ReferenceSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaReferenceSuite(CudaFixture fixture) : ReferenceSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClReferenceSuite(OpenClFixture fixture) : ReferenceSuite(fixture);
