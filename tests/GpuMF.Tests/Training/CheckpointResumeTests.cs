using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

/// <summary>
/// Checkpoints a run cannot resume from are refused before any training, whatever the backend; resuming the
/// right one is the suites' (Suites/CheckpointSuite).
/// </summary>
public sealed class CheckpointResumeTests
{
    [Theory]
    [InlineData("svd")]
    [InlineData("als")]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void ACheckpointOfOtherOptionsOrDataIsRefused(string model)
    {
        var data = TrainingCases.MovieLens100K(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var checkpoint = CheckpointAfterOneEpoch(model, backend, data, path);
            var longer = Assert.Throws<ArgumentException>(() => TrainingCases.Fit(model, backend, data, resumeFrom: checkpoint, epochs: 7));
            Assert.Contains("other options", longer.Message);
            Assert.Equal("resumeFrom", longer.ParamName);
            var fewer = InteractionMatrix.FromIndices(new IdMap(data.Users.Ids.Skip(1)), data.Items, [0], [0], [1f]);
            Assert.Contains("other data", Assert.Throws<ArgumentException>(() => TrainingCases.Fit(model, backend, fewer, resumeFrom: checkpoint)).Message);
            Assert.Contains("not a checkpoint", Assert.Throws<ArgumentException>(() => TrainingCases.Fit(model, backend, data, resumeFrom: Copy(checkpoint, 0))).Message);
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
        var data = TrainingCases.MovieLens100K(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var checkpoint = CheckpointAfterOneEpoch(model, backend, data, path);
            var bare = Copy(checkpoint, checkpoint.CompletedEpochs);
            Assert.Contains("no adagrad sums", Assert.Throws<ArgumentException>(() => TrainingCases.Fit(model, backend, data, resumeFrom: bare)).Message);
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
        Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, backend, data, new CheckpointOptions(path, 1), cts.Token, _ => cts.Cancel()));
        return FactorModel.Load(path);
    }
}
