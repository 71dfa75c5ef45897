using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Pairwise;
using GpuMF.Persistence;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

/// <summary>
/// A checkpoint carries the fingerprint of its training data: resuming on other data with the same ids in the
/// same order (values changed, rows added) is refused, naming why; the same data resumes.
/// </summary>
public sealed class CheckpointDataTests
{
    [Theory]
    [InlineData("svd")]
    [InlineData("als")]
    [InlineData("bpr")]
    public void ResumingOnOtherDataWithTheSameIdsIsRefused(string model)
    {
        var table = RatingFileReader.Read(TestData.Split(model == "svd" ? "ml100k_explicit_train.tsv" : "ml100k_implicit_train.tsv"));
        var data = InteractionMatrix.Build(table);
        string path = TestData.TempPath(".ckpt");
        try
        {
            using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            TrainingCases.Fit(model, backend, data, new CheckpointOptions(path, 1), epochs: 3);
            var checkpoint = ModelFile.Read(path);
            Assert.NotNull(checkpoint.DataFingerprint);
            Assert.Equal(data.Fingerprint(), checkpoint.DataFingerprint);

            // Every value changed (ratings inverted, counts doubled): the ids and their order are the same.
            var changed = new RatingTable();
            for (int n = 0; n < table.Count; n++)
            {
                changed.Add(table.Users[n], table.Items[n], model == "svd" ? 6 - table.Values[n] : 2 * table.Values[n]);
            }
            var other = InteractionMatrix.Build(changed);
            Assert.Equal(data.Users.Ids, other.Users.Ids);
            var e = Assert.Throws<ArgumentException>(() => TrainingCases.Fit(model, backend, other, resumeFrom: checkpoint, epochs: 3));
            Assert.Contains("trained on other data", e.Message);

            var resumed = TrainingCases.Fit(model, backend, data, resumeFrom: checkpoint, epochs: 3);
            Assert.Equal(0, resumed.CompletedEpochs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AFinishedModelCarriesNoFingerprintAndAFingerprintWithoutEpochsIsRejected()
    {
        var data = TrainingCases.MovieLens100K("svd");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var model = TrainingCases.Fit("svd", backend, data, epochs: 1);
        Assert.Null(model.DataFingerprint);
        var forged = new GpuMF.Models.FactorModel(model.Kind, model.Users, model.Items, model.Factors, model.UserFactors, model.ItemFactors, model.UserBias, model.ItemBias, model.GlobalMean, model.SeenPtr, model.SeenItems, model.OptionsJson)
        {
            DataFingerprint = new byte[32],
        };
        var bytes = new MemoryStream();
        ModelFile.WriteTo(forged, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.ReadFrom(new MemoryStream(bytes.ToArray()), "forged"));
        Assert.Contains("'DATA'", e.Message);
    }

    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void PairwiseModelsRefuseDataWithoutAnyNegative(string model)
    {
        var table = new RatingTable();
        foreach (long user in new long[] { 1, 2, 3 })
        {
            foreach (long item in new long[] { 10, 11 })
            {
                table.Add(user, item, 1f);
            }
        }
        var data = InteractionMatrix.Build(table);
        var e = Assert.Throws<ArgumentException>(() => model == "bpr"
            ? new BprTrainer(new BprOptions { Factors = 2, Epochs = 1 }).Fit(data)
            : (object)new WarpTrainer(new WarpOptions { Factors = 2, Epochs = 1 }).Fit(data));
        Assert.Contains("no negative to sample", e.Message);
    }
}
