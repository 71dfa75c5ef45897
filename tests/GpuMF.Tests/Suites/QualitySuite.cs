using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Ranking;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Suites;

/// <summary>Each model trained on one backend learns what small synthetic data plant in it.</summary>
public abstract class QualitySuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    /// <summary>
    /// Ratings of a planted rank-3 model (<see cref="PlantedRatings"/>) with a fifth of each user's held out: the
    /// held-out RMSE is under half the global mean's, which biases alone cannot reach, and the training loss
    /// falls every epoch. The step size and initial factors are larger than the defaults (chosen for ML-1M's
    /// hundreds of ratings a row), so that a few dozen ratings a row leave the saddle at zero within ten epochs.
    /// </summary>
    [BackendFact]
    public void SvdPredictsHeldOutRatingsOfAPlantedLowRankModel()
    {
        var (train, test) = PlantedRatings(users: 30, items: 30);
        var reports = new List<EpochReport>();
        var options = SvdOptions.Defaults with { Factors = 8, Epochs = 10, LearningRate = 0.1f, InitStdDev = 0.1f };
        var model = new SvdTrainer(options, Backend).Fit(train, progress: new SyncProgress<EpochReport>(reports.Add));
        double rmse = RatingMetrics.Evaluate(model, test).Rmse;
        double mean = train.MeanValue();
        double meanRmse = Math.Sqrt(test.UserValues.Average(r => (r - mean) * (r - mean)));
        Assert.True(rmse < 0.5 * meanRmse, $"held-out RMSE {rmse:F4}, the mean's {meanRmse:F4}");
        Assert.Equal(Enumerable.Range(1, 10), reports.Select(r => r.Epoch));
        for (int n = 1; n < reports.Count; n++)
        {
            Assert.True(reports[n].TrainLoss < reports[n - 1].TrainLoss, $"training RMSE rose at epoch {n + 1}");
        }
    }

    /// <summary>
    /// Users and items of equal parity like each other; two of each user's liked items are held out and must
    /// be exactly its top two recommendations.
    /// </summary>
    [BackendTheory]
    [InlineData(AlsSolver.ConjugateGradient)]
    [InlineData(AlsSolver.Cholesky)]
    public void AlsRanksHeldOutCheckerboardItemsFirst(AlsSolver solver)
    {
        const int users = 20, items = 16;
        var table = new RatingTable();
        var heldOut = new Dictionary<long, HashSet<long>>();
        for (int u = 0; u < users; u++)
        {
            var liked = Enumerable.Range(0, items).Where(i => (u + i) % 2 == 0).ToArray();
            var hidden = new HashSet<long> { liked[u % liked.Length], liked[(u + 3) % liked.Length] };
            heldOut[u] = hidden;
            foreach (int i in liked.Where(i => !hidden.Contains(i)))
            {
                table.Add(u, i, 1f);
            }
        }
        var model = new AlsTrainer(new AlsOptions { Factors = 2, Iterations = 10, Regularization = 0.1f, Solver = solver }, Backend).Fit(InteractionMatrix.Build(table));
        for (int u = 0; u < users; u++)
        {
            var top = model.Recommend(u, 2).Select(r => r.Id).ToHashSet();
            Assert.True(heldOut[u].SetEquals(top), $"user {u}: recommended {string.Join(",", top)}, held out {string.Join(",", heldOut[u])}");
        }
    }

    public static TheoryData<string> PairwiseModels() => new() { "bpr", "warp" };

    /// <summary>Two taste groups (<see cref="PairwiseTrainerTests.TwoGroups"/>): after eight epochs the unseen items of a user's own group rank above the other group's.</summary>
    [BackendTheory]
    [MemberData(nameof(PairwiseModels))]
    public void PairwiseModelsLearnTheGroups(string model)
    {
        var data = PairwiseTrainerTests.TwoGroups();
        var reports = new List<EpochReport>();
        var progress = new SyncProgress<EpochReport>(reports.Add);
        FactorModel m = model == "bpr"
            ? new BprTrainer(new BprOptions { Factors = 8, Epochs = 8 }, Backend).Fit(data, progress: progress)
            : new WarpTrainer(new WarpOptions { Factors = 8, Epochs = 8 }, Backend).Fit(data, progress: progress);
        Assert.Equal(model == "bpr" ? ModelKind.Bpr : ModelKind.Warp, m.Kind);
        Assert.NotNull(m.ItemBias);
        Assert.Null(m.UserBias);
        Assert.True(PairwiseTrainerTests.GroupAuc(m, data) > 0.95, $"group AUC {PairwiseTrainerTests.GroupAuc(m, data):F3}");
        Assert.Equal(data.UserItems, m.SeenItems);
        Assert.Equal(8, reports.Count);
        Assert.All(reports, r => Assert.Equal(data.Count, r.Updates));
    }

    /// <summary>
    /// r = 3.5 + a_u·b_i + ε on four in five of the (user, item) cells, a and b of three factors drawn from
    /// N(0, 0.8²) and ε from N(0, 0.1²); a fifth of each user's ratings held out.
    /// </summary>
    private static (InteractionMatrix Train, InteractionMatrix Test) PlantedRatings(int users, int items)
    {
        const int rank = 3;
        var rng = new XorShiftRandom(17, 3);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => 0.8f * rng.NextGaussian()).ToArray();
        var a = Draw(users * rank);
        var b = Draw(items * rank);
        var table = new RatingTable();
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                if (rng.NextInt(10) < 8)
                {
                    float r = 3.5f + 0.1f * rng.NextGaussian();
                    for (int f = 0; f < rank; f++)
                    {
                        r += a[u * rank + f] * b[i * rank + f];
                    }
                    table.Add(u, i, r);
                }
            }
        }
        var (train, test) = Splitter.PerUserFraction(table, 0.2, 3);
        return TrainingCases.Join(train, test);
    }
}

public sealed class CpuQualitySuite(CpuFixture fixture) : QualitySuite(fixture), IClassFixture<CpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuQualitySuite(IlgpuCpuFixture fixture) : QualitySuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaQualitySuite(CudaFixture fixture) : QualitySuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClQualitySuite(OpenClFixture fixture) : QualitySuite(fixture);
