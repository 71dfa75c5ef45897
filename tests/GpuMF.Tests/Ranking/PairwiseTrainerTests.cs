using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Training;

namespace GpuMF.Tests.Ranking;

/// <summary>
/// What BPR and WARP training promise on the CPU backend, on small data: repeatability, progress, options. What
/// they learn, cancellation and checkpoints on every backend are the suites' (Suites/).
/// </summary>
public sealed class PairwiseTrainerTests
{
    /// <summary>Two taste groups: users 0..29 like items 0..19, users 30..59 like items 20..39, each a random two-thirds.</summary>
    internal static InteractionMatrix TwoGroups(ulong seed = 1)
    {
        var rng = new GpuMF.Kernels.Sampling.XorShiftRandom(seed, 5);
        var table = new RatingTable(1000);
        for (int u = 0; u < 60; u++)
        {
            int first = u < 30 ? 0 : 20;
            for (int i = first; i < first + 20; i++)
            {
                if (rng.NextInt(3) != 0)
                {
                    table.Add(u, i, 1f);
                }
            }
        }
        return InteractionMatrix.Build(table);
    }

    /// <summary>Fraction of (user, in-group unseen item, out-group item) triples the model orders right.</summary>
    internal static double GroupAuc(FactorModel model, InteractionMatrix data)
    {
        long right = 0, total = 0;
        for (int u = 0; u < data.UserCount; u++)
        {
            long user = data.Users[u];
            var seen = data.ItemsOf(u).ToArray().Select(i => data.Items[i]).ToHashSet();
            long first = user < 30 ? 0 : 20;
            for (long i = first; i < first + 20; i++)
            {
                if (seen.Contains(i))
                {
                    continue;
                }
                for (long j = 20 - first; j < 40 - first; j++)
                {
                    total++;
                    if (model.Score(u, model.Items.IndexOf(i, "item")) > model.Score(u, model.Items.IndexOf(j, "item")))
                    {
                        right++;
                    }
                }
            }
        }
        return (double)right / total;
    }

    public static TheoryData<string> Models => new() { "bpr", "warp" };

    private static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix data, IProgress<EpochReport>? progress = null, int epochs = 15) =>
        model == "bpr"
            ? new BprTrainer(new BprOptions { Factors = 8, Epochs = epochs }, backend).Fit(data, progress: progress)
            : new WarpTrainer(new WarpOptions { Factors = 8, Epochs = epochs }, backend).Fit(data, progress: progress);

    [Theory]
    [MemberData(nameof(Models))]
    public void RepeatsExactlyForTheSameThreadCount(string model)
    {
        var data = TwoGroups();
        using var two = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        using var one = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var a = Fit(model, two, data, epochs: 3);
        var b = Fit(model, two, data, epochs: 3);
        var c = Fit(model, one, data, epochs: 3);
        Assert.Equal(a.UserFactors, b.UserFactors);
        Assert.Equal(a.ItemFactors, b.ItemFactors);
        Assert.Equal(a.ItemBias, b.ItemBias);
        Assert.NotEqual(a.ItemFactors, c.ItemFactors);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ReportsProgressEveryEpoch(string model)
    {
        var reports = new List<EpochReport>();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var data = TwoGroups();
        Fit(model, cpu, data, new SynchronousProgress(reports.Add), epochs: 4);
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Epoch));
        foreach (var r in reports)
        {
            Assert.Equal(data.Count, r.Updates);
            Assert.True(r.UpdatesPerSecond > 0);
            Assert.True(r.TrainLoss > 0 && double.IsFinite(r.TrainLoss));
            double? fraction = model == "bpr" ? r.RankedCorrectlyFraction : r.ViolatorFraction;
            Assert.InRange(fraction!.Value, 0.0, 1.0);
            Assert.Null(model == "bpr" ? r.ViolatorFraction : r.RankedCorrectlyFraction);
            Assert.True(r.NegativesPerSample >= 1);
        }
        // Learning makes violators rarer (WARP) and right orderings commoner (BPR).
        Assert.True(model == "bpr"
            ? reports[^1].RankedCorrectlyFraction > reports[0].RankedCorrectlyFraction
            : reports[^1].ViolatorFraction < reports[0].ViolatorFraction);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ReportsValidationPrecision(string model)
    {
        var all = TwoGroups();
        var (train, valid) = Splitter.PerUserFraction(ToTable(all), 0.25, 3);
        var users = new IdMap();
        var items = new IdMap();
        var trainMatrix = InteractionMatrix.Build(train, DuplicatePolicy.Reject, users, items);
        var validMatrix = InteractionMatrix.Build(valid, DuplicatePolicy.Reject, users, items);
        trainMatrix = InteractionMatrix.FromIndices(users, items, trainMatrix.EntryUsers(), trainMatrix.UserItems, trainMatrix.UserValues);
        var reports = new List<EpochReport>();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var progress = new SynchronousProgress(reports.Add);
        if (model == "bpr")
        {
            new BprTrainer(new BprOptions { Factors = 8, Epochs = 15 }, cpu).Fit(trainMatrix, validMatrix, progress);
        }
        else
        {
            new WarpTrainer(new WarpOptions { Factors = 8, Epochs = 15 }, cpu).Fit(trainMatrix, validMatrix, progress);
        }
        // Each user has about 3 held-out items among the 26 unseen: the groups alone give precision ≥ 0.2.
        Assert.All(reports, r => Assert.InRange(r.ValidationPrecision!.Value, 0.0, 1.0));
        Assert.True(reports[^1].ValidationPrecision > 0.2, $"validation precision {reports[^1].ValidationPrecision:F3}");
    }

    [Fact]
    public void BprWithoutItemBiasHasNone()
    {
        var m = new BprTrainer(new BprOptions { Factors = 4, Epochs = 2, ItemBias = false }).Fit(TwoGroups());
        Assert.Null(m.ItemBias);
    }

    [Fact]
    public void RejectingObservedNegativesDrawsAgain()
    {
        // Every user of TwoGroups has about a third of the catalogue, so some first draws of j are
        // observed and get redrawn; without rejection every triple takes exactly one draw.
        var rejecting = new List<EpochReport>();
        var plain = new List<EpochReport>();
        new BprTrainer(new BprOptions { Factors = 4, Epochs = 1 }).Fit(TwoGroups(), progress: new SynchronousProgress(rejecting.Add));
        new BprTrainer(new BprOptions { Factors = 4, Epochs = 1, RejectObservedNegatives = false }).Fit(TwoGroups(), progress: new SynchronousProgress(plain.Add));
        Assert.InRange(rejecting[0].NegativesPerSample!.Value, 1.2, 1.8);
        Assert.Equal(1.0, plain[0].NegativesPerSample);
    }

    [Fact]
    public void BadOptionsNameTheOption()
    {
        Assert.Equal("Factors", Assert.Throws<ArgumentOutOfRangeException>(() => new BprTrainer(new BprOptions { Factors = 0 })).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new BprTrainer(new BprOptions { LearningRate = 2 })).ParamName);
        Assert.Equal("Schedule", Assert.Throws<ArgumentOutOfRangeException>(() => new BprTrainer(new BprOptions { Schedule = (LearningRateSchedule)7 })).ParamName);
        Assert.Equal("MaxSampled", Assert.Throws<ArgumentOutOfRangeException>(() => new WarpTrainer(new WarpOptions { MaxSampled = 0 })).ParamName);
        Assert.Equal("Regularization", Assert.Throws<ArgumentOutOfRangeException>(() => new WarpTrainer(new WarpOptions { Regularization = -1 })).ParamName);
        Assert.Equal("LearningRateDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new WarpTrainer(new WarpOptions { LearningRateDecay = 0 })).ParamName);
    }

    [Fact]
    public void EmptyMatrixIsRejected()
    {
        var empty = InteractionMatrix.Build(new RatingTable(0));
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => new WarpTrainer().Fit(empty)).ParamName);
    }

    private static RatingTable ToTable(InteractionMatrix m)
    {
        var table = new RatingTable(m.Count);
        for (int u = 0; u < m.UserCount; u++)
        {
            foreach (int i in m.ItemsOf(u))
            {
                table.Add(m.Users[u], m.Items[i], 1f);
            }
        }
        return table;
    }

    /// <summary>Reports on the training thread, in order (System.Progress posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
