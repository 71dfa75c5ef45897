using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Cli;

public sealed class CheckpointCommandTests
{
    [Fact]
    public void TrainResumesBprFromItsCheckpoint()
    {
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string data = TestData.Split("ml100k_implicit_train.tsv");
            string full = Path.Combine(dir, "full.gpumf");
            string resumed = Path.Combine(dir, "resumed.gpumf");
            string[] train = ["train", "--model", "bpr", "--data", data, "--backend", "cpu", "--threads", "2", "--factors", "8", "--epochs", "5"];
            var uninterrupted = CliRunner.Run([.. train, "--out", full]);
            Assert.True(uninterrupted.Code == 0, uninterrupted.Err);

            // The checkpoint a run stopped after 3 epochs leaves behind, made with the options and data the command line gives.
            var matrix = InteractionMatrix.Build(RatingFileReader.Read(data).Positives(), DuplicatePolicy.KeepLast);
            using (var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 2))
            using (var cts = new CancellationTokenSource())
            {
                var trainer = new BprTrainer(new BprOptions { Factors = 8, Epochs = 5 }, backend) { Checkpoint = new CheckpointOptions(resumed + ".ckpt", 3) };
                var stop = new SyncProgress<EpochReport>(r =>
                {
                    if (r.Epoch == 3)
                    {
                        cts.Cancel();
                    }
                });
                Assert.Throws<OperationCanceledException>(() => trainer.Fit(matrix, progress: stop, cancellation: cts.Token));
            }

            var mismatch = CliRunner.Run([.. train[..^1], "6", "--out", resumed, "--resume"]);
            Assert.Equal(1, mismatch.Code);
            Assert.Contains("Cannot resume from this checkpoint: it was written with other options", mismatch.Err);
            Assert.False(File.Exists(resumed));

            var resume = CliRunner.Run([.. train, "--out", resumed, "--resume", "--checkpoint-every", "1"]);
            Assert.True(resume.Code == 0, resume.Err);
            Assert.Contains("after 3 epochs", resume.Err);
            Assert.False(File.Exists(resumed + ".ckpt"));
            var a = FactorModel.Load(full);
            var b = FactorModel.Load(resumed);
            Assert.Equal(a.UserFactors, b.UserFactors);
            Assert.Equal(a.ItemFactors, b.ItemFactors);
            Assert.Equal(a.ItemBias, b.ItemBias);
            Assert.Equal(0, b.CompletedEpochs);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
