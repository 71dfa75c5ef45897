using System.Globalization;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Backends;

/// <summary>
/// SVD, BPR and WARP by stratified SGD over two and three CPU-accelerator devices, and streamed through one
/// device whose budget is smaller than the data: the same model as one device holding everything, statistically
/// (test RMSE, precision@10 within bounds), from grids whose structure is checked where it can go wrong. The data
/// are synthetic ratings of a hidden rank-8 model, 301 users and 203 items (multiples of neither 2, 3 nor 32).
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class DeviceGroupSgdTests(IlgpuCpuFixture one, DeviceGroupFixture groups) : IClassFixture<DeviceGroupFixture>
{
    private const int Factors = 8;

    private const int Epochs = 8;

    /// <summary>Test RMSE (SVD) or precision@10 (BPR, WARP) within this of the one-device in-memory run's.</summary>
    private const double RmseBound = 0.02;

    private const double PrecisionBound = 0.03;

    private static readonly Lazy<(InteractionMatrix Train, InteractionMatrix Test)> Ratings = new(() => TrainingCases.SyntheticSplit(users: 301, items: 203, interactions: 6000, positives: false));

    private static readonly Lazy<(InteractionMatrix Train, InteractionMatrix Test)> Positives = new(() => TrainingCases.SyntheticSplit(users: 301, items: 203, interactions: 6000, positives: true));

    public static TheoryData<string> Models() => new() { "svd", "bpr", "warp" };

    public static TheoryData<string> PairwiseModels() => new() { "bpr", "warp" };

    public static TheoryData<string, int> ModelsOnDevices() => new() { { "svd", 2 }, { "svd", 3 }, { "bpr", 2 }, { "bpr", 3 }, { "warp", 2 }, { "warp", 3 } };

    [Theory]
    [MemberData(nameof(ModelsOnDevices))]
    public void SeveralDevicesTrainAsWellAsOne(string model, int devices)
    {
        var (train, test) = Data(model);
        var alone = Fit(model, one.Backend, train);
        var spread = Fit(model, groups.Group(devices), train);
        AssertClose(model, test, alone, spread);
    }

    /// <summary>A quarter of the in-memory engine's footprint: the engine streams cells of a grid finer than 1 × 1 and trains as well.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void OneDeviceStreamsThroughABudgetSmallerThanTheData(string model)
    {
        var (train, test) = Data(model);
        var device = one.Backend;
        long whole = device.MemoryBudget;
        var alone = Fit(model, device, train);
        try
        {
            device.MemoryBudget = InMemoryBytes(model, device, train) / 4;
            using (var engine = device.CreateEngine(Factory(model, train)))
            {
                var (grid, resident, bytes) = Structure(engine);
                Assert.True(grid > 1, $"a {grid} × {grid} grid");
                Assert.Equal([false], resident);
                Assert.Equal(0, bytes);
                engine.RunEpoch(0, 0.01f);
                Assert.True(Structure(engine).Bytes >= 8L * train.Count, $"{Structure(engine).Bytes} bytes copied in an epoch of {train.Count} interactions");
            }
            AssertClose(model, test, alone, Fit(model, device, train));
        }
        finally
        {
            device.MemoryBudget = whole;
        }
    }

    /// <summary>
    /// Devices holding their cells whole upload the interactions once, when the engine is made, and every epoch
    /// then copies the same bytes (the cells' parameters and loss partials); devices whose budget holds one cell at
    /// a time copy the interactions every epoch besides.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void ResidentCellsUploadTheInteractionsOnce(string model)
    {
        var (train, _) = Data(model);
        var group = groups.Group(3);
        long whole = group.MemoryBudget;
        long resident, streamed;
        try
        {
            using (var engine = group.CreateEngine(Factory(model, train)))
            {
                var (grid, kept, uploaded) = Structure(engine);
                Assert.Equal(3, grid);
                Assert.Equal([true, true, true], kept);
                Assert.True(uploaded >= 8L * train.Count, $"{uploaded} bytes at construction");
                Assert.Equal(train.Count, engine.RunEpoch(0, 0.01f).Samples);
                long first = Structure(engine).Bytes - uploaded;
                engine.RunEpoch(1, 0.01f);
                resident = Structure(engine).Bytes - uploaded - first;
                Assert.Equal(first, resident);
                group.MemoryBudget = uploaded / 6;
            }
            using (var engine = group.CreateEngine(Factory(model, train)))
            {
                var (grid, kept, uploaded) = Structure(engine);
                Assert.True(grid >= 3, $"a {grid} × {grid} grid");
                Assert.Equal([false, false, false], kept);
                Assert.Equal(0, uploaded);
                engine.RunEpoch(0, 0.01f);
                streamed = Structure(engine).Bytes;
            }
            Assert.True(streamed - resident >= 8L * train.Count, $"{resident} bytes an epoch resident, {streamed} streamed, {train.Count} interactions");
        }
        finally
        {
            group.MemoryBudget = whole;
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ABudgetTooSmallForTheSmallestCellNamesTheLeastThatFits(string model)
    {
        var (train, _) = Data(model);
        var device = one.Backend;
        long whole = device.MemoryBudget;
        try
        {
            device.MemoryBudget = 64;
            var e = Assert.Throws<DeviceMemoryException>(() => device.CreateEngine(Factory(model, train)));
            Assert.Contains("training streams its (user block × item block) cells", e.Message);
            Assert.Contains($"a budget of {e.RequiredBytes} bytes would fit", e.Message, StringComparison.Ordinal);
            Assert.Equal(64, e.DeviceBytes);
            device.MemoryBudget = e.RequiredBytes;
            using var engine = device.CreateEngine(Factory(model, train));
            Assert.True(Structure(engine).Grid > 1);
        }
        finally
        {
            device.MemoryBudget = whole;
        }
    }

    /// <summary>
    /// One slice of a 2 × 2 grid (local indices, one item block of the catalogue, WARP's rank estimate over the whole
    /// catalogue, a seed of its own) trained for two epochs by the device engine with one warp and by the managed CPU
    /// engine with one thread: the same draws and the same updates, so the grid on a device trains as the same cells
    /// on the CPU engine do, and what the grid costs in precision is the grid's, not the kernels'.
    /// </summary>
    [Theory]
    [MemberData(nameof(PairwiseModels))]
    public void AGridSliceTrainsOnADeviceAsOnTheCpuEngine(string model)
    {
        var (train, _) = Data(model);
        var whole = PairwiseRun.CreateProblem(Settings(model), train);
        var userStarts = EvenBlocks.Bounds(whole.UserCount, 2);
        var cell = PairwiseStratum.Row(whole, userStarts[1], userStarts[2], PairwiseStratum.ItemBlocks(whole, 2))[0];
        var slice = cell.Slices(PairwiseStratum.Sweeps)[3];
        ulong seed = PairwiseStratum.Seed(whole.Settings, 3);
        var expected = slice.Problem(whole, seed);
        var actual = slice.Problem(whole, seed);
        Assert.True(expected.ItemCount < expected.CatalogueItems, $"{expected.ItemCount} block items of {expected.CatalogueItems}");
        static EpochResult Work(IPairwiseEngine engine) => engine.RunEpoch(0, 0.05f) + engine.RunEpoch(1, 0.04f);
        EpochResult cpu, device;
        using (var engine = new PairwiseEngineFactory(expected).ForManagedCpu(1))
        {
            cpu = Work(engine);
            engine.CopyTo(expected);
        }
        using (var engine = new IlgpuPairwiseEngine(one.Backend, actual, warps: 1))
        {
            device = Work(engine);
            engine.CopyTo(actual);
        }
        Assert.Equal(2L * slice.Users.Length, cpu.Samples);
        Assert.True(cpu.Hits > 0, "no sample found a violating negative");
        Assert.False(expected.Q.SequenceEqual(slice.Problem(whole, seed).Q), "the slice's item factors did not move");
        var result = PairwiseSelfTest.Result(model, "a 2 × 2 grid's slice", 0, device, cpu, (actual.P, expected.P), (actual.Q, expected.Q), (actual.ItemBias, expected.ItemBias),
            (actual.UserAccumulators, expected.UserAccumulators), (actual.ItemAccumulators, expected.ItemAccumulators), (actual.BiasAccumulators, expected.BiasAccumulators));
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }

    /// <summary>Hybrid models share their feature embeddings between every user and item: refused on several devices, saying why.</summary>
    [Fact]
    public void HybridModelsRefuseSeveralDevices()
    {
        var (train, _) = Data("bpr");
        var parity = new FeatureMatrix(new IdMap(["even", "odd"]), 0, [.. Enumerable.Range(0, train.ItemCount + 1)], [.. Enumerable.Range(0, train.ItemCount).Select(i => i % 2)], Enumerable.Repeat(1f, train.ItemCount).ToArray());
        var trainer = new BprTrainer(BprOptions.Defaults with { Factors = Factors, Epochs = 1 }, groups.Group(2)) { ItemFeatures = parity };
        var e = Assert.Throws<NotSupportedException>(() => trainer.Fit(train));
        Assert.Contains("shared feature embeddings", e.Message);
        Assert.Contains("2 devices", e.Message);
    }

    [Fact]
    public void TheGridGrowsInMultiplesOfTheDevicesUntilACellFits()
    {
        var group = groups.Group(2);
        long whole = group.MemoryBudget;
        try
        {
            group.MemoryBudget = 1000;
            var devices = group.Devices;
            Assert.Equal(2, DeviceStrata.Size(devices, 100, g => 1000 / g, "test"));
            Assert.Equal(8, DeviceStrata.Size(devices, 100, g => g >= 8 ? 0 : 1001, "test"));
            Assert.Equal(6, DeviceStrata.Size(devices, 5, g => g >= 6 ? 0 : 1001, "test"));
            var e = Assert.Throws<DeviceMemoryException>(() => DeviceStrata.Size(devices, 5, g => 1000 + g, "test"));
            Assert.Equal(1006, e.RequiredBytes);
        }
        finally
        {
            group.MemoryBudget = whole;
        }
    }

    private static (InteractionMatrix Train, InteractionMatrix Test) Data(string model) => model == "svd" ? Ratings.Value : Positives.Value;

    private static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix train) => model switch
    {
        "svd" => new SvdTrainer(SvdOptions.Defaults with { Factors = Factors, Epochs = Epochs }, backend).Fit(train),
        "bpr" => new BprTrainer(BprOptions.Defaults with { Factors = Factors, Epochs = Epochs }, backend).Fit(train),
        _ => new WarpTrainer(WarpOptions.Defaults with { Factors = Factors, Epochs = Epochs }, backend).Fit(train),
    };

    /// <summary>The engine factory of a fresh problem of <paramref name="model"/> on <paramref name="train"/>, as its trainer makes it.</summary>
    private static IEngineFactory<ITrainingEngine> Factory(string model, InteractionMatrix train)
    {
        if (model == "svd")
        {
            var options = SvdOptions.Defaults with { Factors = Factors };
            var p = NormalFactors.Create(train.UserCount, Factors, options.InitStdDev, options.Seed, 1);
            var q = NormalFactors.Create(train.ItemCount, Factors, options.InitStdDev, options.Seed, 2);
            return new SgdEngineFactory(SgdProblem.Shuffled(train, options, p, q, new float[train.UserCount], new float[train.ItemCount]));
        }
        return new PairwiseEngineFactory(PairwiseRun.CreateProblem(Settings(model), train));
    }

    private static PairwiseSettings Settings(string model) =>
        model == "bpr" ? (BprOptions.Defaults with { Factors = Factors }).ToSettings() : (WarpOptions.Defaults with { Factors = Factors }).ToSettings();

    /// <summary>What the one-device in-memory engine of <paramref name="model"/> would allocate.</summary>
    private static long InMemoryBytes(string model, ComputeBackend device, InteractionMatrix train)
    {
        if (model == "svd")
        {
            return IlgpuSgdEngine.Footprint(device, train.Count, train.UserCount, train.ItemCount, Factors, 0).Bytes;
        }
        var settings = (BprOptions.Defaults with { Factors = Factors }).ToSettings();
        return IlgpuPairwiseEngine.Footprint(device, PairwiseRun.CreateProblem(settings, train), 0).Bytes;
    }

    private static (int Grid, IReadOnlyList<bool> Resident, long Bytes) Structure(ITrainingEngine engine) => engine switch
    {
        DeviceSgdEngine sgd => (sgd.Grid, sgd.Resident, sgd.BytesCopied),
        DevicePairwiseEngine pairwise => (pairwise.Grid, pairwise.Resident, pairwise.BytesCopied),
        _ => throw new Xunit.Sdk.XunitException($"{engine.GetType().Name} is not a grid engine"),
    };

    private static void AssertClose(string model, InteractionMatrix test, FactorModel alone, FactorModel spread)
    {
        if (model == "svd")
        {
            double a = RatingMetrics.Evaluate(alone, test).Rmse, b = RatingMetrics.Evaluate(spread, test).Rmse;
            Assert.True(Math.Abs(a - b) <= RmseBound, $"test RMSE {a.ToString("F4", CultureInfo.InvariantCulture)} on one device, {b.ToString("F4", CultureInfo.InvariantCulture)} on the grid");
            return;
        }
        double pa = RankingMetrics.Evaluate(alone, test).Precision, pb = RankingMetrics.Evaluate(spread, test).Precision;
        Assert.True(Math.Abs(pa - pb) <= PrecisionBound, $"{model} P@10 {pa.ToString("F4", CultureInfo.InvariantCulture)} on one device, {pb.ToString("F4", CultureInfo.InvariantCulture)} on the grid");
    }
}
