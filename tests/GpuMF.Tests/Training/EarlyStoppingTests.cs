using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

/// <summary>Early stopping stops once the validation metric has not improved for the patience, and returns the best epoch's model.</summary>
public sealed class EarlyStoppingTests
{
    [Fact]
    public void SvdStopsWhenValidationRmseRisesAndKeepsTheBestEpoch()
    {
        var (train, validation) = Split("ml100k_explicit_train.tsv");
        var reports = new List<EpochReport>();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        // No decay and a large step: the model overfits within a few epochs.
        var options = SvdOptions.Defaults with { Factors = 64, Epochs = 200, LearningRate = 0.05f, LearningRateDecay = 1f, Regularization = 0f };
        var model = new SvdTrainer(options, backend) { EarlyStopping = new EarlyStopping(3) }
            .Fit(train, validation, new SyncProgress<EpochReport>(reports.Add));
        Assert.True(reports.Count < options.Epochs, $"ran all {reports.Count} epochs");
        int best = reports[^1].BestEpoch!.Value;
        Assert.Equal(reports.Count - 3, best);
        double bestRmse = reports.Min(r => r.ValidationRmse!.Value);
        Assert.Equal(bestRmse, reports[best - 1].ValidationRmse!.Value);
        Assert.True(reports[^1].ValidationRmse > bestRmse);
        Assert.Equal(bestRmse, RatingMetrics.Evaluate(model, validation).Rmse, 6);
    }

    [Fact]
    public void BprKeepsTheEpochWithTheBestValidationPrecision()
    {
        var (train, validation) = Split("ml100k_implicit_train.tsv");
        var reports = new List<EpochReport>();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var model = new BprTrainer(BprOptions.Defaults with { Factors = 16, Epochs = 12 }, backend) { EarlyStopping = new EarlyStopping(2) }
            .Fit(train, validation, new SyncProgress<EpochReport>(reports.Add));
        double best = reports.Max(r => r.ValidationPrecision!.Value);
        Assert.Equal(best, RankingMetrics.Evaluate(model, validation).Precision, 9);
        Assert.All(reports, r => Assert.NotNull(r.BestEpoch));
    }

    [Fact]
    public void EarlyStoppingNeedsValidationData()
    {
        var (train, _) = Split("ml100k_explicit_train.tsv");
        var e = Assert.Throws<ArgumentException>(() => new SvdTrainer(SvdOptions.Defaults with { Epochs = 2 }) { EarlyStopping = new EarlyStopping(1) }.Fit(train));
        Assert.Contains("validation", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SvdTrainer(SvdOptions.Defaults with { Epochs = 2 }) { EarlyStopping = new EarlyStopping(0) }.Fit(train, train));
    }

    /// <summary>A fifth of each user's rows of the training split held out for validation, in one index space.</summary>
    private static (InteractionMatrix Train, InteractionMatrix Validation) Split(string file)
    {
        var (train, validation) = Splitter.PerUserFraction(RatingFileReader.Read(TestData.Split(file)), 0.2, 11);
        return TrainingCases.Join(train, validation);
    }
}
