using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Pairwise;

/// <summary>The trainers' and families' side of features: what trains plain, what trains hybrid, what is refused.</summary>
public sealed class HybridTrainerTests
{
    private static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix data, FeatureMatrix? users, FeatureMatrix? items, CheckpointOptions? checkpoint = null, FactorModel? resumeFrom = null, InteractionMatrix? validation = null, EarlyStopping? earlyStopping = null, IProgress<EpochReport>? progress = null) =>
        model == "bpr"
            ? new BprTrainer(BprOptions.Defaults with { Factors = 8, Epochs = 6 }, backend) { UserFeatures = users, ItemFeatures = items, Checkpoint = checkpoint, EarlyStopping = earlyStopping }.Fit(data, validation, progress, resumeFrom: resumeFrom)
            : new WarpTrainer(WarpOptions.Defaults with { Factors = 8, Epochs = 6 }, backend) { UserFeatures = users, ItemFeatures = items, Checkpoint = checkpoint, EarlyStopping = earlyStopping }.Fit(data, validation, progress, resumeFrom: resumeFrom);

    /// <summary>Identity-only features on either side train the plain model: the same factors, bit for bit, and no feature embeddings.</summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void IdentityOnlyFeaturesTrainThePlainModel(string model)
    {
        var data = HybridData.RandomPositives(30, 40, 400, 5);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var plain = Fit(model, cpu, data, null, null);
        var identity = Fit(model, cpu, data, HybridRun.Identity(data.UserCount), HybridRun.Identity(data.ItemCount));
        Assert.Equal(plain.UserFactors, identity.UserFactors);
        Assert.Equal(plain.ItemFactors, identity.ItemFactors);
        Assert.Equal(plain.ItemBias, identity.ItemBias);
        Assert.Null(identity.UserFeatures);
        Assert.Null(identity.ItemFeatures);
    }

    /// <summary>
    /// A hybrid model's rows are the composed vectors: an item described by named features alone has exactly the
    /// factors and bias its features' embeddings compose to; the user side, trained without features, keeps none.
    /// </summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void TheModelHoldsTheComposedVectorsAndTheNamedEmbeddings(string model)
    {
        var data = HybridData.RandomPositives(30, 40, 400, 6);
        var items = HybridData.Random(40, 5, identity: false, 3) is var raw ? new FeatureMatrix(raw.Names, 0, raw.RowPtr, raw.Columns, raw.Weights) { Normalized = true } : null!;
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        var trained = Fit(model, cpu, data, null, items);
        Assert.Null(trained.UserFeatures);
        var features = Assert.IsType<FeatureEmbeddings>(trained.ItemFeatures);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4"], features.Names.Names);
        Assert.True(features.Normalized);
        var biases = Assert.IsType<float[]>(features.Biases);
        int k = trained.Factors;
        for (int i = 0; i < data.ItemCount; i++)
        {
            var columns = items.ColumnsOf(i);
            var weights = items.WeightsOf(i);
            for (int f = 0; f < k; f++)
            {
                float expected = 0f;
                for (int n = 0; n < columns.Length; n++)
                {
                    expected += weights[n] * features.Vectors[columns[n] * k + f];
                }
                Assert.Equal(expected, trained.ItemFactors[i * k + f], 1e-5f);
            }
            float bias = 0f;
            for (int n = 0; n < columns.Length; n++)
            {
                bias += weights[n] * biases[columns[n]];
            }
            Assert.Equal(bias, trained.ItemBias![i], 1e-5f);
        }
        Assert.Contains(trained.ItemFactors, v => v != 0f);
    }

    /// <summary>
    /// Rows whose named weights carry a scale (<see cref="FeatureMatrix.NamedScale"/>) train as rows with those weights
    /// given, and the named embeddings come out multiplied by it, so that a new item described by the weights as given
    /// composes what a trained item's features give it.
    /// </summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void NamedEmbeddingsAreExportedMultipliedByTheRowsScale(string model)
    {
        var data = HybridData.RandomPositives(30, 40, 400, 7);
        var raw = HybridData.Random(40, 5, identity: true, 4);
        var scaled = new FeatureMatrix(raw.Names, raw.IdentityCount, raw.RowPtr, raw.Columns, raw.Weights) { Normalized = raw.Normalized, NamedScale = 0.25f };
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var given = Fit(model, cpu, data, null, raw);
        var carried = Fit(model, cpu, data, null, scaled);
        Assert.Equal(given.ItemFactors, carried.ItemFactors);
        Assert.Equal(given.ItemBias, carried.ItemBias);
        var a = Assert.IsType<FeatureEmbeddings>(given.ItemFeatures);
        var b = Assert.IsType<FeatureEmbeddings>(carried.ItemFeatures);
        Assert.Contains(a.Vectors, v => v != 0f);
        Assert.Equal(a.Vectors.Select(v => v * 0.25f), b.Vectors);
        Assert.Equal(a.Biases!.Select(v => v * 0.25f), b.Biases!);
    }

    /// <summary>Rows that leave the shared weight to the model train as rows carrying the model's own: 0.02 for WARP on weights as given, else 1.</summary>
    [Theory]
    [InlineData("bpr", false, 1f)]
    [InlineData("warp", false, 0.02f)]
    [InlineData("warp", true, 1f)]
    public void RowsThatLeaveTheSharedWeightOpenTakeTheModels(string model, bool normalized, float factor)
    {
        var data = HybridData.RandomPositives(30, 40, 400, 8);
        var raw = HybridData.Random(40, 5, identity: true, 5);
        var open = new FeatureMatrix(raw.Names, raw.IdentityCount, raw.RowPtr, raw.Columns, raw.Weights) { Normalized = normalized, NamedScale = null };
        Assert.Equal(factor, HybridRun.DefaultSharedWeight(model == "bpr" ? ModelKind.Bpr : ModelKind.Warp, normalized));
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var chosen = Fit(model, cpu, data, null, open.ScaleNamed(factor));
        var left = Fit(model, cpu, data, null, open);
        Assert.Equal(chosen.ItemFactors, left.ItemFactors);
        Assert.Equal(chosen.ItemFeatures!.Vectors, left.ItemFeatures!.Vectors);
    }

    /// <summary>Early stopping with features keeps the best epoch's hybrid model, feature embeddings included.</summary>
    [Fact]
    public void EarlyStoppingKeepsTheBestHybridModel()
    {
        var data = HybridData.RandomPositives(30, 40, 500, 8);
        var validation = HybridData.RandomPositives(30, 40, 120, 9);
        var validationInSpace = InteractionMatrix.FromIndices(data.Users, data.Items, validation.EntryUsers(), validation.UserItems, validation.UserValues, DuplicatePolicy.KeepLast);
        var items = HybridData.Random(40, 4, identity: true, 4);
        var reports = new List<EpochReport>();
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var trained = Fit("warp", cpu, data, null, items, validation: validationInSpace, earlyStopping: new EarlyStopping(2), progress: new SyncProgress<EpochReport>(reports.Add));
        Assert.NotNull(trained.ItemFeatures);
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.NotNull(r.ValidationPrecision));
        int best = reports[^1].BestEpoch ?? 0;
        Assert.InRange(best, 1, reports.Count);
    }

    /// <summary>Cancelling inside an epoch of hybrid training stops it at the next check point and returns no model.</summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void CancellingStopsHybridTraining(string model)
    {
        var data = HybridData.RandomPositives(60, 80, 9000, 4);
        var items = HybridData.Random(80, 5, true, 6);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 2);
        using var cts = new CancellationTokenSource();
        int checks = 0;
        void Probe()
        {
            if (++checks == 2)
            {
                cts.Cancel();
            }
        }
        Assert.ThrowsAny<OperationCanceledException>(() => model == "bpr"
            ? new BprTrainer(BprOptions.Defaults with { Factors = 8, Epochs = 50 }, cpu) { ItemFeatures = items, CancellationProbe = Probe }.Fit(data, cancellation: cts.Token)
            : new WarpTrainer(WarpOptions.Defaults with { Factors = 8, Epochs = 50 }, cpu) { ItemFeatures = items, CancellationProbe = Probe }.Fit(data, cancellation: cts.Token));
        Assert.True(checks >= 2);
    }

    /// <summary>Feature matrices whose rows are not the training data's users or items are refused, naming the side and both counts.</summary>
    [Fact]
    public void FeaturesOfAnotherShapeAreRefused()
    {
        var data = HybridData.RandomPositives(30, 40, 300, 7);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var users = Assert.Throws<ArgumentException>(() => Fit("bpr", cpu, data, HybridData.Random(29, 3, true, 1), null));
        Assert.Equal("UserFeatures", users.ParamName);
        Assert.Contains("user features have 29 rows", users.Message, StringComparison.Ordinal);
        Assert.Contains("30 users", users.Message, StringComparison.Ordinal);
        var items = Assert.Throws<ArgumentException>(() => Fit("warp", cpu, data, null, HybridRun.Identity(41)));
        Assert.Equal("ItemFeatures", items.ParamName);
        Assert.Contains("item features have 41 rows", items.Message, StringComparison.Ordinal);
        Assert.Contains("40 items", items.Message, StringComparison.Ordinal);
    }

    /// <summary>Training with features writes no checkpoints and resumes from none; identity-only features still checkpoint as the plain model does.</summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void CheckpointsWithFeaturesAreRefused(string model)
    {
        var data = HybridData.RandomPositives(30, 40, 300, 7);
        var items = HybridData.Random(40, 3, true, 2);
        string path = TestData.TempPath(".gpumf");
        try
        {
            using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
            var checkpoint = Assert.Throws<ArgumentException>(() => Fit(model, cpu, data, null, items, checkpoint: new CheckpointOptions(path, 2)));
            Assert.Contains("Checkpoints are not written", checkpoint.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(path));
            Fit(model, cpu, data, null, HybridRun.Identity(40), checkpoint: new CheckpointOptions(path, 2));
            var saved = FactorModel.Load(path);
            var resume = Assert.Throws<ArgumentException>(() => Fit(model, cpu, data, null, items, resumeFrom: saved));
            Assert.Equal("resumeFrom", resume.ParamName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>SVD and ALS refuse a request with features, naming the model and those that take them; BPR and WARP accept them.</summary>
    [Theory]
    [InlineData("svd", false)]
    [InlineData("als", false)]
    [InlineData("bpr", true)]
    [InlineData("warp", true)]
    public void OnlyThePairwiseFamiliesTakeFeatures(string name, bool supported)
    {
        var family = ModelRegistry.Parse(name);
        Assert.Equal(supported, family.SupportsFeatures);
        var data = HybridData.RandomPositives(30, 40, 300, 7);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var options = family.Bind(o => o == "epochs" || o == "iterations" ? "1" : null, o => o == family.EpochUnit);
        var request = new TrainingRequest(data, null, cpu, null, default, null, null, 0) { ItemFeatures = HybridData.Random(40, 3, true, 1) };
        if (supported)
        {
            Assert.NotNull(family.Train(options, request).ItemFeatures);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => family.Train(options, request));
        Assert.Contains($"The {name} model does not train with user or item features", e.Message, StringComparison.Ordinal);
        Assert.Contains("bpr and warp", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => family.Train(options, request with { ItemFeatures = null, UserFeatures = HybridRun.Identity(30) }));
    }
}
