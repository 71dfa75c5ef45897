using System.Globalization;
using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Training;

/// <summary>
/// What repeats exactly and what only statistically (the table in README.md, "Backends and reproducibility"):
/// on the CPU backend a fixed seed and thread count repeat every model bit for bit, and another thread count
/// gives ALS the same factors and the SGD models another model of the same quality; the lock-free ILGPU
/// kernels (on IlgpuCpu here, as on CUDA and OpenCL) repeat only in quality, and ALS's up to float rounding.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class DeterminismTests(IlgpuCpuFixture fixture)
{
    /// <summary>Every model with one thread and with every core.</summary>
    public static TheoryData<string, int> ModelsAndThreads()
    {
        var cases = new TheoryData<string, int>();
        foreach (string model in new[] { "svd", "als", "bpr", "warp" })
        {
            cases.Add(model, 1);
            cases.Add(model, 0);
        }
        return cases;
    }

    public static TheoryData<string> SgdModels() => new() { "svd", "bpr", "warp" };

    [Theory]
    [MemberData(nameof(ModelsAndThreads))]
    public void TheCpuBackendRepeatsEveryModelBitForBit(string model, int threads)
    {
        var data = TrainingCases.MovieLens100K(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: threads);
        var a = TrainingCases.Fit(model, backend, data, epochs: 3);
        var b = TrainingCases.Fit(model, backend, data, epochs: 3);
        Assert.Equal(a.UserFactors, b.UserFactors);
        Assert.Equal(a.ItemFactors, b.ItemFactors);
        Assert.Equal(a.UserBias, b.UserBias);
        Assert.Equal(a.ItemBias, b.ItemBias);
    }

    [Fact]
    public void AlsOnTheCpuBackendDoesNotDependOnTheThreadCount()
    {
        var data = TrainingCases.MovieLens100K("als");
        using var one = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var three = ComputeBackend.Create(BackendKind.Cpu, threads: 3);
        var a = TrainingCases.Fit("als", one, data, epochs: 3);
        var b = TrainingCases.Fit("als", three, data, epochs: 3);
        Assert.Equal(a.UserFactors, b.UserFactors);
        Assert.Equal(a.ItemFactors, b.ItemFactors);
    }

    /// <summary>
    /// Threads 1 and 3 on the ML-100K splits, default schedules (16 factors): the block partition and the
    /// random streams follow the thread count, so the factors differ, but the test metrics stay within bounds
    /// a little wider than the spread over seeds.
    /// </summary>
    [Theory]
    [MemberData(nameof(SgdModels))]
    public void AnotherThreadCountGivesTheSameQuality(string model)
    {
        var (train, test) = MovieLens100K(model);
        using var one = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var three = ComputeBackend.Create(BackendKind.Cpu, threads: 3);
        var a = Fit(model, one, train, factors: 16);
        var b = Fit(model, three, train, factors: 16);
        Assert.NotEqual(a.ItemFactors, b.ItemFactors);
        AssertSameQuality(model, test, a, b);
    }

    /// <summary>
    /// The SGD kernels with eight lock-free warps racing on shared rows, as many as fill the CPU accelerator (the
    /// launch rule alone gives data this small one warp), for six epochs: two runs, and the CPU backend, reach
    /// test metrics within bounds of one another.
    /// </summary>
    [Theory]
    [MemberData(nameof(SgdModels))]
    public void TheLockFreeKernelsRepeatStatistically(string model)
    {
        var (train, test) = TrainingCases.SyntheticSplit(users: 300, items: 200, interactions: 6000, positives: model != "svd");
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var first = RacingFit.Fit(model, fixture.Backend, train, factors: 8, epochs: 6, warps: 8);
        var second = RacingFit.Fit(model, fixture.Backend, train, factors: 8, epochs: 6, warps: 8);
        Assert.True(first.Warps > 1 && second.Warps > 1, $"launched {first.Warps} and {second.Warps} warps");
        AssertSameQuality(model, test, first.Model, second.Model, Fit(model, cpu, train, 8, 6));
    }

    /// <summary>ALS's kernels have no races, but the Gram matrix is summed with atomics in no fixed order: two runs agree up to float rounding.</summary>
    [Fact]
    public void AlsKernelsRepeatUpToRounding()
    {
        var options = new AlsOptions { Factors = 6, Iterations = 2 };
        var (_, data) = AlsKernelSelfTest.RandomProblem(users: 40, items: 30, interactions: 300, factors: 6, seed: 2, options);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var first = new AlsTrainer(options, fixture.Backend).Fit(data);
        var second = new AlsTrainer(options, fixture.Backend).Fit(data);
        var host = new AlsTrainer(options, cpu).Fit(data);
        Assert.True(SelfTestResult.Compare(first.ItemFactors, second.ItemFactors) < 1e-4);
        Assert.True(SelfTestResult.Compare(first.UserFactors, host.UserFactors) < 1e-4);
    }

    /// <summary>Test RMSE within 0.01 (SVD); precision@10 within 0.03 and full AUC within 0.01 (BPR, WARP).</summary>
    private static void AssertSameQuality(string model, InteractionMatrix test, params FactorModel[] models)
    {
        if (model == "svd")
        {
            var rmse = models.Select(m => RatingMetrics.Evaluate(m, test).Rmse).ToArray();
            Assert.True(rmse.Max() - rmse.Min() <= 0.01, $"{model} test RMSE {string.Join(", ", rmse.Select(r => r.ToString("F4", CultureInfo.InvariantCulture)))}");
            return;
        }
        var metrics = models.Select(m => RankingMetrics.Evaluate(m, test)).ToArray();
        string all = string.Join("; ", metrics.Select(m => $"P@10 {m.Precision:F4}, AUC {m.AucFull:F4}"));
        Assert.True(metrics.Max(m => m.Precision) - metrics.Min(m => m.Precision) <= 0.03, $"{model}: {all}");
        Assert.True(metrics.Max(m => m.AucFull) - metrics.Min(m => m.AucFull) <= 0.01, $"{model}: {all}");
    }

    /// <summary>The default options but for the factors and (when given) the epochs; SVD takes 10 epochs.</summary>
    private static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix data, int factors, int? epochs = null) => model switch
    {
        "svd" => new SvdTrainer(SvdOptions.Defaults with { Factors = factors, Epochs = epochs ?? 10 }, backend).Fit(data),
        "bpr" => new BprTrainer(BprOptions.Defaults with { Factors = factors, Epochs = epochs ?? BprOptions.Defaults.Epochs }, backend).Fit(data),
        _ => new WarpTrainer(WarpOptions.Defaults with { Factors = factors, Epochs = epochs ?? WarpOptions.Defaults.Epochs }, backend).Fit(data),
    };

    /// <summary>The ML-100K training and test split in one index space; the implicit one as positives of value 1.</summary>
    private static (InteractionMatrix Train, InteractionMatrix Test) MovieLens100K(string model)
    {
        string kind = model == "svd" ? "explicit" : "implicit";
        RatingTable Read(string part)
        {
            var table = RatingFileReader.Read(TestData.Split($"ml100k_{kind}_{part}.tsv"));
            return model == "svd" ? table : table.Positives();
        }
        return TrainingCases.Join(Read("train"), Read("test"));
    }
}
