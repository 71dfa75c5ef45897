using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Svd;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Fold-in (<c>RecalculateUser</c>) on models trained on one backend: ALS's reproduces a training user's row,
/// the least-squares rule of the other models returns the minimiser of its objective, and recommendations
/// for a folded-in user leave out the items it was folded in with.
/// </summary>
public abstract class FoldInSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    /// <summary>
    /// Each ALS iteration ends with the users solved against the final items, so with the Cholesky solver a
    /// training user's fold-in (the same system, solved in float64) gives back its row.
    /// </summary>
    [BackendFact]
    public void AlsFoldInOfATrainingUserReproducesItsRow()
    {
        var (users, items, interactions, factors) = fixture.Simulated ? (24, 16, 150, 5) : (60, 40, 700, 12);
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users, items, interactions, factors, seed: 4, AlsOptions.Defaults);
        var model = new AlsTrainer(new AlsOptions { Factors = factors, Iterations = 3, Solver = AlsSolver.Cholesky, Confidence = ConfidenceScaling.Log }, Backend).Fit(matrix);
        for (int u = 0; u < matrix.UserCount; u += 5)
        {
            var rated = matrix.ItemsOf(u).ToArray();
            var values = matrix.ValuesOf(u).ToArray();
            var folded = model.RecalculateUser(rated.Select((i, n) => (matrix.Items[i], values[n])));
            Assert.True(SelfTestResult.Compare(folded.Factors, model.UserRow(u)) < 1e-4, $"user {u}");
            Assert.Equal(rated.Order(), folded.SeenItems);
        }
    }

    [BackendFact]
    public void RecalculateUsersMatchesOneAtATime()
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 30, items: 20, interactions: 200, factors: 6, seed: 8, AlsOptions.Defaults);
        var model = new AlsTrainer(new AlsOptions { Factors = 6, Iterations = 2 }, Backend).Fit(matrix);
        var histories = new List<IEnumerable<(long, float)>> { new[] { (1L, 1f), (2L, 3f) }, new[] { (5L, 2f) }, Array.Empty<(long, float)>() };
        var batch = model.RecalculateUsers(histories);
        Assert.Equal(3, batch.Count);
        for (int n = 0; n < histories.Count; n++)
        {
            Assert.Equal(model.RecalculateUser(histories[n]).Factors, batch[n].Factors);
        }
        Assert.Contains(batch[0].Factors, f => f != 0f);
        Assert.All(batch[2].Factors, f => Assert.Equal(0f, f));
    }

    /// <summary>
    /// SVD's fold-in of its heaviest training user minimises its training objective restricted to the user,
    /// Σ(r − μ − b_i − b_u − p·q_i)² + n_u(λ|p|² + λ_b·b_u²) over the user's n_u ratings: the gradient vanishes there, the trained row does no better, and the two agree on
    /// what the user likes. The recommendations for the folded-in user leave its rated items out.
    /// </summary>
    [BackendFact]
    public void SvdFoldInMinimisesTheUsersTrainingObjective()
    {
        var data = TrainingCases.Data("svd", fixture);
        int factors = TrainingCases.Factors(fixture);
        var model = new SvdTrainer(SvdOptions.Defaults with { Factors = factors, Epochs = 10 }, Backend).Fit(data);
        int u = Enumerable.Range(0, data.UserCount).MaxBy(u => data.ItemsOf(u).Length);
        var rated = data.ItemsOf(u).ToArray();
        var ratings = data.ValuesOf(u).ToArray();
        var folded = model.RecalculateUser(rated.Select((i, n) => (data.Items[i], ratings[n])));
        // Training's SGD applies its L2 weights at every rating it visits: n_u times per epoch for the user's row.
        double lambda = SvdOptions.Defaults.Regularization * rated.Length;
        double biasLambda = SvdOptions.Defaults.BiasRegularization * rated.Length;

        double Objective(float[] p, double bias, double[]? gradient)
        {
            double sum = lambda * p.Sum(x => (double)x * x) + biasLambda * bias * bias;
            for (int n = 0; n < rated.Length; n++)
            {
                var q = model.ItemRow(rated[n]);
                double err = ratings[n] - model.GlobalMean - model.ItemBias![rated[n]] - bias;
                for (int f = 0; f < factors; f++)
                {
                    err -= (double)p[f] * q[f];
                }
                sum += err * err;
                if (gradient is not null)
                {
                    for (int f = 0; f < factors; f++)
                    {
                        gradient[f] -= 2 * err * q[f];
                    }
                    gradient[factors] -= 2 * err;
                }
            }
            if (gradient is not null)
            {
                for (int f = 0; f < factors; f++)
                {
                    gradient[f] += 2 * lambda * p[f];
                }
                gradient[factors] += 2 * biasLambda * bias;
            }
            return sum;
        }

        var gradient = new double[factors + 1];
        double atFold = Objective(folded.Factors, folded.Bias, gradient);
        double atRow = Objective(model.UserRow(u).ToArray(), model.UserBias![u], null);
        Assert.True(gradient.Max(Math.Abs) < 1e-3 * rated.Length, $"gradient {string.Join(", ", gradient.Select(g => g.ToString("E2", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(atFold <= atRow * (1 + 1e-6), $"fold-in objective {atFold} > trained row's {atRow}");
        var viaFold = Enumerable.Range(0, data.ItemCount).Select(i => Dot(folded.Factors, model.ItemRow(i)) + model.ItemBias![i]).ToArray();
        var viaRow = Enumerable.Range(0, data.ItemCount).Select(i => (double)model.Score(u, i)).ToArray();
        Assert.True(Correlation(viaFold, viaRow) > 0.5, $"correlation of the scores {Correlation(viaFold, viaRow):F3}");
        Assert.Equal(rated.Order(), folded.SeenItems);

        var recs = model.Recommend(folded, data.ItemCount);
        Assert.Equal(data.ItemCount - rated.Length, recs.Count);
        Assert.DoesNotContain(recs, r => rated.Contains(model.Items.IndexOf(r.Id)));
        Assert.Equal(recs.Select(r => r.Score).OrderDescending(), recs.Select(r => r.Score));
    }

    private static double Dot(float[] a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int f = 0; f < a.Length; f++)
        {
            sum += (double)a[f] * b[f];
        }
        return sum;
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double ab = 0, aa = 0, bb = 0;
        for (int n = 0; n < a.Length; n++)
        {
            ab += (a[n] - ma) * (b[n] - mb);
            aa += (a[n] - ma) * (a[n] - ma);
            bb += (b[n] - mb) * (b[n] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}

public sealed class CpuFoldInSuite(CpuFixture fixture) : FoldInSuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuFoldInSuite(IlgpuCpuFixture fixture) : FoldInSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaFoldInSuite(CudaFixture fixture) : FoldInSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClFoldInSuite(OpenClFixture fixture) : FoldInSuite(fixture);
