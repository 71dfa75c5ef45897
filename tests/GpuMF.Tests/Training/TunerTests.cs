using System.Globalization;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Tests.Support;
using GpuMF.Training;
using Xunit.Abstractions;

namespace GpuMF.Tests.Training;

/// <summary>The tuner: its rounds, its quasi-random points, and searches on ML-100K's training split that are repeatable and pick the best trial.</summary>
public sealed class TunerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(27, 3, 40, new[] { 5, 14, 40 })]
    [InlineData(9, 3, 9, new[] { 1, 3, 9 })]
    [InlineData(2, 3, 30, new[] { 30 })]
    [InlineData(4, 2, 8, new[] { 2, 4, 8 })]
    public void RoundsGrowByTheReductionFactorUpToTheMaximum(int trials, int reduction, int maxEpochs, int[] expected) =>
        Assert.Equal(expected, Tuner.RoundBudgets(trials, reduction, maxEpochs));

    [Theory]
    [InlineData(1000, 27)]
    [InlineData(100, 5)]
    [InlineData(10, 1)]
    public void ABudgetKeepsAsManyPointsAsEveryRoundCanTrainInIt(int seconds, int expected) =>
        Assert.Equal(expected, Tuner.Affordable(27, [5, 14, 40], 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void PointsStartAtTheDefaultsStayInRangeAndCoverEachDimensionEvenly()
    {
        var space = ModelRegistry.Parse("als").SearchSpace;
        var points = Tuner.Points(space, 28, seed: 7);
        Assert.Empty(points[0]);
        var reg = space.Single(d => d.Option == "reg");
        var values = points.Skip(1).Select(p => double.Parse(p.Single(v => v.Key == "reg").Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.All(values, v => Assert.InRange(v, reg.Low * 0.999, reg.High * 1.001));
        // Log-uniform over three decades: a low-discrepancy design puts 9 ± 2 of 27 points in each decade.
        foreach (var (low, high) in new[] { (1.0, 10.0), (10.0, 100.0), (100.0, 1000.0) })
        {
            Assert.InRange(values.Count(v => v >= low && v < high), 7, 11);
        }
        Assert.Equal(points.Select(p => string.Join(",", p)), Tuner.Points(space, 28, seed: 7).Select(p => string.Join(",", p)));
        Assert.NotEqual(points.Select(p => string.Join(",", p)), Tuner.Points(space, 28, seed: 8).Select(p => string.Join(",", p)));
        var confidence = points.Skip(1).Select(p => p.Single(v => v.Key == "confidence").Value).ToArray();
        Assert.InRange(confidence.Count(c => c == "log"), 11, 16);
    }

    [Fact]
    public void ABprSearchIsRepeatablePicksItsBestFinalTrialAndHoldsGivenOptionsFixed()
    {
        var (train, validation) = Data("ml100k_implicit_train.tsv", positives: true);
        var family = ModelRegistry.Parse("bpr");
        var options = TuningOptions.Defaults with
        {
            Trials = 6,
            MaxEpochs = 6,
            Start = family.Bind(n => n == "factors" ? "16" : null, n => n == "factors"),
            Fixed = ["factors"],
        };
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var first = Tuner.Tune(family, train, validation, backend, options);
        var second = Tuner.Tune(family, train, validation, backend, options);
        foreach (var t in first.Trials)
        {
            output.WriteLine($"round {t.Round} point {t.Point}: {t.Metric:F4} after {t.BestEpoch}/{t.Epochs} ({string.Join(" ", t.Values)})");
        }
        Assert.Equal(first.Trials.Select(t => (t.Point, t.Round, t.BestEpoch, t.Metric)), second.Trials.Select(t => (t.Point, t.Round, t.BestEpoch, t.Metric)));
        Assert.Equal(ValidationMetric.NdcgAt10, first.Metric);
        Assert.Equal(6, first.Trials.Count(t => t.Round == 0));
        int last = first.Trials.Max(t => t.Round);
        Assert.Equal(first.Trials.Where(t => t.Round == last).Max(t => t.Metric), first.Best.Metric);
        Assert.All(first.Trials, t => Assert.DoesNotContain(t.Values, v => v.Key == "factors"));
        Assert.Contains("\"Factors\":16", first.BestJson);
        Assert.Contains($"\"Epochs\":{first.Best.BestEpoch}", first.BestJson);
        Assert.Equal(first.BestJson, family.ToJson(family.ReadOptions(first.BestJson)));
        Assert.InRange(first.Best.Metric, 0.05, 1.0);
        Assert.False(first.StoppedByBudget);
    }

    [Fact]
    public void AnSvdSearchMinimisesRmse()
    {
        var (train, validation) = Data("ml100k_explicit_train.tsv", positives: false);
        var family = ModelRegistry.Parse("svd");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        var result = Tuner.Tune(family, train, validation, backend, TuningOptions.Defaults with { Trials = 4, MaxEpochs = 4 });
        Assert.Equal(ValidationMetric.Rmse, result.Metric);
        Assert.False(result.HigherIsBetter);
        int last = result.Trials.Max(t => t.Round);
        Assert.Equal(result.Trials.Where(t => t.Round == last).Min(t => t.Metric), result.Best.Metric);
        Assert.InRange(result.Best.Metric, 0.8, 1.2);
    }

    [Fact]
    public void ABudgetTooShortForOneTrialAndASearchWithNothingToSearchAreRefused()
    {
        var (train, validation) = Data("ml100k_implicit_train.tsv", positives: true);
        var family = ModelRegistry.Parse("als");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2);
        Assert.Throws<TimeoutException>(() => Tuner.Tune(family, train, validation, backend, TuningOptions.Defaults with { TimeBudget = TimeSpan.FromTicks(1) }));
        var error = Assert.Throws<ArgumentException>(() => Tuner.Tune(family, train, validation, backend, TuningOptions.Defaults with { Fixed = ["factors", "reg", "alpha", "confidence"] }));
        Assert.Contains("Nothing to tune", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tuner.Tune(family, train, validation, backend, TuningOptions.Defaults with { Trials = 0 }));
    }

    private static (InteractionMatrix Train, InteractionMatrix Validation) Data(string file, bool positives)
    {
        var table = RatingFileReader.Read(TestData.Split(file));
        var (fit, held) = Splitter.PerUserFraction(positives ? table.Positives(0f) : table, 0.2, 1);
        var (train, validation) = HoldoutData.Build(fit, held);
        return (train, validation);
    }
}
