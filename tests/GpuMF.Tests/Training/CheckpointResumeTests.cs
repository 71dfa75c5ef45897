using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

/// <summary>
/// Every model: a run stopped after some epochs and resumed from its last checkpoint ends with the factors
/// of an uninterrupted run, bit for bit, on the CPU backend with a fixed thread count.
/// </summary>
public sealed class CheckpointResumeTests
{
    private const int Epochs = 6;
    private const int Every = 2;
    private const int StopAfter = 4;

    internal static InteractionMatrix Data(string model) =>
        InteractionMatrix.Build(RatingFileReader.Read(TestData.Split(model == "svd" ? "ml100k_explicit_train.tsv" : "ml100k_implicit_train.tsv")));

    /// <summary>Options with a decaying step size, so that a resumed run must also take up the decay where it stopped.</summary>
    /// <remarks>On an ILGPU backend the SGD models launch one warp, so that an epoch takes many launches.</remarks>
    internal static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix data, CheckpointOptions? checkpoint = null, CancellationToken ct = default, Action<int>? afterEpoch = null, FactorModel? resumeFrom = null, int epochs = Epochs, Action? probe = null)
    {
        var epochDone = new SyncProgress<EpochReport>(r => afterEpoch?.Invoke(r.Epoch));
        var pairwiseDone = new SyncProgress<EpochReport>(r => afterEpoch?.Invoke(r.Epoch));
        return model switch
        {
            "svd" => new SvdTrainer(SvdOptions.Defaults with { Factors = 16, Epochs = epochs }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, epochDone, ct, resumeFrom),
            "als" => new AlsTrainer(AlsOptions.Defaults with { Factors = 16, Iterations = epochs }, backend) { Checkpoint = checkpoint, CancellationProbe = probe }
                .Fit(data, epochDone, ct, resumeFrom),
            "bpr" => new BprTrainer(BprOptions.Defaults with { Factors = 16, Epochs = epochs, LearningRateDecay = 0.9f }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, pairwiseDone, ct, resumeFrom),
            "warp" => new WarpTrainer(WarpOptions.Defaults with { Factors = 16, Epochs = epochs, LearningRateDecay = 0.9f }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, pairwiseDone, ct, resumeFrom),
            _ => throw new ArgumentOutOfRangeException(nameof(model)),
        };
    }

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (string model in new[] { "svd", "als", "bpr", "warp" })
        {
            cases.Add(model, 1);
            cases.Add(model, 0);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResumingEqualsAnUninterruptedRun(string model, int threads)
    {
        var data = Data(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: threads);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var full = Fit(model, backend, data);
            using var cts = new CancellationTokenSource();
            var done = new List<int>();
            Assert.Throws<OperationCanceledException>(() => Fit(model, backend, data, new CheckpointOptions(path, Every), cts.Token, epoch =>
            {
                done.Add(epoch);
                if (epoch == StopAfter)
                {
                    cts.Cancel();
                }
            }));
            Assert.Equal(Enumerable.Range(1, StopAfter), done);
            var checkpoint = FactorModel.Load(path);
            Assert.Equal(StopAfter, checkpoint.CompletedEpochs);
            Assert.Equal(model is "bpr" or "warp", checkpoint.Adagrad is not null);
            done.Clear();
            var resumed = Fit(model, backend, data, afterEpoch: done.Add, resumeFrom: checkpoint);
            Assert.Equal(Enumerable.Range(StopAfter + 1, Epochs - StopAfter), done);
            Assert.Equal(full.UserFactors, resumed.UserFactors);
            Assert.Equal(full.ItemFactors, resumed.ItemFactors);
            Assert.Equal(full.UserBias, resumed.UserBias);
            Assert.Equal(full.ItemBias, resumed.ItemBias);
            Assert.Equal(0, resumed.CompletedEpochs);
            Assert.Null(resumed.Adagrad);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("als")]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void ACheckpointOfOtherOptionsOrDataIsRefused(string model)
    {
        var data = Data(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var checkpoint = CheckpointAfterOneEpoch(model, backend, data, path);
            var longer = Assert.Throws<ArgumentException>(() => Fit(model, backend, data, resumeFrom: checkpoint, epochs: Epochs + 1));
            Assert.Contains("other options", longer.Message);
            Assert.Equal("resumeFrom", longer.ParamName);
            var fewer = InteractionMatrix.FromIndices(new IdMap(data.Users.Ids.Skip(1)), data.Items, [0], [0], [1f]);
            Assert.Contains("other data", Assert.Throws<ArgumentException>(() => Fit(model, backend, fewer, resumeFrom: checkpoint)).Message);
            Assert.Contains("not a checkpoint", Assert.Throws<ArgumentException>(() => Fit(model, backend, data, resumeFrom: Copy(checkpoint, 0))).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void AnAdagradCheckpointWithoutItsSumsIsRefused(string model)
    {
        var data = Data(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var checkpoint = CheckpointAfterOneEpoch(model, backend, data, path);
            var bare = Copy(checkpoint, checkpoint.CompletedEpochs);
            Assert.Contains("no adagrad sums", Assert.Throws<ArgumentException>(() => Fit(model, backend, data, resumeFrom: bare)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The model's parameters under another completed-epoch count, without adagrad sums.</summary>
    private static FactorModel Copy(FactorModel c, int completedEpochs) =>
        new(c.Kind, c.Users, c.Items, c.Factors, c.UserFactors, c.ItemFactors, c.UserBias, c.ItemBias, c.GlobalMean, c.SeenPtr, c.SeenItems, c.OptionsJson)
        {
            CompletedEpochs = completedEpochs,
        };

    /// <summary>Trains with a checkpoint after every epoch, stops after the first, and loads what it wrote.</summary>
    private static FactorModel CheckpointAfterOneEpoch(string model, ComputeBackend backend, InteractionMatrix data, string path)
    {
        using var cts = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => Fit(model, backend, data, new CheckpointOptions(path, 1), cts.Token, _ => cts.Cancel()));
        return FactorModel.Load(path);
    }
}
