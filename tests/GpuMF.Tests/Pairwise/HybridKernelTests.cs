using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Pairwise;

/// <summary>The hybrid BPR and WARP kernels on ILGPU's CPU accelerator: one warp against one managed thread, and warps racing on shared feature rows.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class HybridKernelTests(IlgpuCpuFixture fixture)
{
    /// <summary>
    /// Random features on both sides (identity columns at random weights, named ones shared by several entities,
    /// entities without features): one warp draws the samples one thread draws, and every embedding, bias, adagrad
    /// sum, the loss and the counts agree to rounding over two epochs.
    /// </summary>
    [Theory]
    [InlineData("bpr", 7, true, true, true)]
    [InlineData("bpr", 33, false, true, false)]
    [InlineData("bpr", 33, true, false, true)]
    [InlineData("warp", 7, true, true, true)]
    [InlineData("warp", 33, true, true, false)]
    [InlineData("warp", 33, false, false, true)]
    public void OneWarpMatchesOneThread(string model, int factors, bool adagrad, bool itemBias, bool userIdentity)
    {
        ulong seed = (ulong)(factors * 13 + (adagrad ? 1 : 0));
        var data = HybridData.RandomPositives(19, 37, 230, seed);
        var users = HybridData.Random(19, 5, userIdentity, seed + 1);
        var items = HybridData.Random(37, 6, true, seed + 2);
        var settings = HybridEngineTests.Settings(model, factors, adagrad, itemBias, seed, maxSampled: 11);
        using var cpu = ComputeBackend.Create(BackendKind.Cpu, 0, 1);
        var expected = HybridEngineTests.Train(cpu, 0, settings, data, users, items, 2);
        var actual = HybridEngineTests.Train(fixture.Backend, 1, settings, data, users, items, 2);
        Assert.True(HybridData.MaxDifference(actual.Problem.UserEmbeddings, expected.Problem.UserEmbeddings) < 1e-4, "user embeddings differ");
        Assert.True(HybridData.MaxDifference(actual.Problem.ItemEmbeddings, expected.Problem.ItemEmbeddings) < 1e-4, "item embeddings differ");
        Assert.True(HybridData.MaxDifference(actual.Problem.ItemBiases, expected.Problem.ItemBiases) < 1e-4, "item biases differ");
        Assert.True(HybridData.MaxDifference(actual.Problem.UserSums, expected.Problem.UserSums) < 1e-4, "user adagrad sums differ");
        Assert.True(HybridData.MaxDifference(actual.Problem.ItemSums, expected.Problem.ItemSums) < 1e-4, "item adagrad sums differ");
        Assert.True(HybridData.MaxDifference(actual.Problem.BiasSums, expected.Problem.BiasSums) < 1e-4, "bias adagrad sums differ");
        for (int e = 0; e < 2; e++)
        {
            var (a, b) = (actual.Epochs[e], expected.Epochs[e]);
            Assert.Equal((b.Samples, b.Hits, b.Trials), (a.Samples, a.Hits, a.Trials));
            Assert.Equal(b.Loss, a.Loss, 1e-3 * Math.Max(1, b.Loss));
        }
    }

    /// <summary>The self-test that <c>gpumf selftest</c> runs on a device passes on the CPU accelerator, whatever the sizes.</summary>
    [Theory]
    [InlineData(false, 19, 37, 5, 7, true)]
    [InlineData(false, 41, 29, 7, 33, false)]
    [InlineData(true, 19, 37, 5, 7, true)]
    [InlineData(true, 41, 29, 7, 33, true)]
    public void TheSelfTestPassesOnTheCpuAccelerator(bool warp, int users, int items, int named, int factors, bool adagrad)
    {
        var result = HybridSelfTest.Epoch(fixture.Backend, warp, users, items, positives: 10 * users, named, factors, seed: (ulong)(users + factors), adagrad);
        Assert.True(result.Passed, $"{result.Kernel} {result.Case}: error {result.MaxError}");
        Assert.StartsWith(warp ? "hybrid-warp" : "hybrid-bpr", result.Kernel, StringComparison.Ordinal);
    }

    /// <summary>The trainers run hybrid training on an ILGPU backend end to end: a model with finite composed rows and the named features' embeddings.</summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void TrainersTrainHybridModelsOnIlgpu(string model)
    {
        var data = HybridData.RandomPositives(21, 34, 300, 12);
        var users = HybridData.Random(21, 3, true, 13);
        var items = HybridData.Random(34, 4, false, 14);
        var trained = model == "bpr"
            ? new BprTrainer(BprOptions.Defaults with { Factors = 11, Epochs = 3 }, fixture.Backend) { UserFeatures = users, ItemFeatures = items, IlgpuWarps = 3 }.Fit(data)
            : new WarpTrainer(WarpOptions.Defaults with { Factors = 11, Epochs = 3 }, fixture.Backend) { UserFeatures = users, ItemFeatures = items, IlgpuWarps = 3 }.Fit(data);
        Assert.Equal(3, trained.UserFeatures?.Names.Count);
        Assert.Equal(4, trained.ItemFeatures?.Names.Count);
        Assert.All(trained.UserFactors.Concat(trained.ItemFactors).Concat(trained.ItemBias!), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(trained.ItemFeatures!.Vectors, v => v != 0f);
    }

    /// <summary>
    /// Eight warps race on the few rows of items that are genres alone (no identity): two groups of users each like
    /// one genre's items. Every warp's updates of a genre row land (atomic adds): more than one warp ran, the training loss falls, and the
    /// composed model ranks each group's genre first.
    /// </summary>
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void WarpsRacingOnSharedRowsTrain(string model)
    {
        const int users = 24, items = 30;
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < users; user++)
        {
            for (int item = user % 2; item < items; item += 2)
            {
                if ((user * 7 + item) % 5 != 0)
                {
                    u.Add(user);
                    i.Add(item);
                }
            }
        }
        var data = InteractionMatrix.FromIndices(new IdMap(Enumerable.Range(0, users).Select(x => (long)x)), new IdMap(Enumerable.Range(0, items).Select(x => (long)x)), [.. u], [.. i], Enumerable.Repeat(1f, u.Count).ToArray());
        var genres = new FeatureMatrix(new IdMap(["even", "odd"]), 0, [.. Enumerable.Range(0, items + 1)], [.. Enumerable.Range(0, items).Select(x => x % 2)], Enumerable.Repeat(1f, items).ToArray());
        var settings = HybridEngineTests.Settings(model, 9, true, true, 4, maxSampled: 5);
        var trained = HybridEngineTests.Train(fixture.Backend, 8, settings, data, HybridRun.Identity(users), genres, 12);
        double first = trained.Epochs[0].Loss / trained.Epochs[0].Samples;
        double last = trained.Epochs[^1].Loss / trained.Epochs[^1].Samples;
        Assert.True(last < 0.8 * first, $"mean loss {first:F4} in the first epoch, {last:F4} in the last");
        Assert.All(trained.Problem.ItemEmbeddings, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(8, trained.Warps);
        var problem = trained.Problem;
        int k = settings.Factors;
        float Score(int user, int genre) =>
            Enumerable.Range(0, k).Sum(f => problem.UserEmbeddings[user * k + f] * problem.ItemEmbeddings[genre * k + f]) + problem.ItemBiases[genre];
        int right = Enumerable.Range(0, users).Count(user => Score(user, user % 2) > Score(user, 1 - user % 2));
        Assert.True(right >= users - 1, $"{right} of {users} users rank their genre first");
    }
}
