using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Persistence;

public sealed class ModelFileTests
{
    /// <summary>The model stored in Fixtures/model-v1.gpumf, written by format version 1.</summary>
    internal static FactorModel FixtureModel() => new(
        ModelKind.Svd,
        new GpuMF.Data.IdMap([7L, 3L]),
        new GpuMF.Data.IdMap([100L, 200L, 300L]),
        2,
        [0.5f, -1f, 0.25f, 2f],
        [1f, 0f, 0f, 1f, -0.5f, 0.5f],
        [0.1f, -0.2f],
        [0.3f, 0f, -0.3f],
        3.5f,
        [0, 1, 3],
        [2, 0, 1],
        "{\"Factors\":2}");

    private static byte[] Bytes(FactorModel model)
    {
        using var stream = new MemoryStream();
        ModelFile.WriteTo(model, stream);
        return stream.ToArray();
    }

    private static void AssertSame(FactorModel expected, FactorModel actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Factors, actual.Factors);
        Assert.Equal(expected.Users.Ids, actual.Users.Ids);
        Assert.Equal(expected.Items.Ids, actual.Items.Ids);
        Assert.Equal(expected.UserFactors, actual.UserFactors);
        Assert.Equal(expected.ItemFactors, actual.ItemFactors);
        Assert.Equal(expected.UserBias, actual.UserBias);
        Assert.Equal(expected.ItemBias, actual.ItemBias);
        Assert.Equal(expected.GlobalMean, actual.GlobalMean);
        Assert.Equal(expected.SeenPtr, actual.SeenPtr);
        Assert.Equal(expected.SeenItems, actual.SeenItems);
        Assert.Equal(expected.OptionsJson, actual.OptionsJson);
    }

    [Fact]
    public void RoundTripKeepsEveryField()
    {
        var model = TestModels.Random(31, 17, 5, seed: 9, seenPerUser: 4);
        string path = TestData.TempPath(".gpumf");
        try
        {
            model.Save(path);
            AssertSame(model, FactorModel.Load(path));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".*.tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RoundTripWithoutBiases()
    {
        var model = TestModels.Random(4, 5, 3, seed: 1, kind: ModelKind.Als);
        AssertSame(model, ModelFile.Parse(Bytes(model), "m"));
    }

    [Fact]
    public void LoadsTheCommittedVersion1Fixture()
    {
        var loaded = FactorModel.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-v1.gpumf"));
        AssertSame(FixtureModel(), loaded);
        Assert.Equal(3.5f + 0.1f + 0.3f + 0.5f, loaded.Predict(7, 100), 5);
    }

    /// <summary>A BPR checkpoint: completed epochs and adagrad sums (≥ 1, as adagrad keeps them) beside the parameters.</summary>
    internal static FactorModel Checkpoint(ulong seed, float firstSum = 1.5f)
    {
        var m = TestModels.Random(6, 9, 3, seed, kind: ModelKind.Bpr);
        float[] Sums(long n) => Enumerable.Range(0, (int)n).Select(i => i == 0 ? firstSum : 1f + i / 8f).ToArray();
        return new FactorModel(m.Kind, m.Users, m.Items, m.Factors, m.UserFactors, m.ItemFactors, null, new float[9], 0f, m.SeenPtr, m.SeenItems, m.OptionsJson)
        {
            CompletedEpochs = 3,
            Adagrad = new AdagradSums(Sums(6 * 3), Sums(9 * 3), Sums(9)),
        };
    }

    [Fact]
    public void CheckpointsKeepTheirEpochsAndAdagradSums()
    {
        var model = Checkpoint(4);
        var loaded = ModelFile.Parse(Bytes(model), "c");
        AssertSame(model, loaded);
        Assert.Equal(3, loaded.CompletedEpochs);
        Assert.Equal(model.Adagrad!.Users, loaded.Adagrad!.Users);
        Assert.Equal(model.Adagrad.Items, loaded.Adagrad.Items);
        Assert.Equal(model.Adagrad.ItemBiases, loaded.Adagrad.ItemBiases);
        Assert.Null(ModelFile.Parse(Bytes(FixtureModel()), "m").Adagrad);
    }

    [Theory]
    [InlineData(0f, "index 0 of the user sums")]
    [InlineData(-2f, "index 0 of the user sums")]
    [InlineData(float.NaN, "finite and positive")]
    public void AdagradSumsMustBeFiniteAndPositive(float first, string fragment)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(Bytes(Checkpoint(5, first)), "c"));
        Assert.Contains("section 'ADAG'", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void AdagradSumsOutsideACheckpointAreRejected()
    {
        var c = Checkpoint(6);
        var finished = new FactorModel(c.Kind, c.Users, c.Items, c.Factors, c.UserFactors, c.ItemFactors, null, c.ItemBias, 0f, c.SeenPtr, c.SeenItems, c.OptionsJson)
        {
            Adagrad = c.Adagrad,
        };
        Assert.Contains("belongs to checkpoints only", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(Bytes(finished), "m")).Message);
    }

    [Fact]
    public void AdagradSumsMustMatchTheDimensions()
    {
        var c = Checkpoint(7);
        Assert.Throws<ArgumentException>(() => new FactorModel(c.Kind, c.Users, c.Items, c.Factors, c.UserFactors, c.ItemFactors, null, c.ItemBias, 0f, c.SeenPtr, c.SeenItems, c.OptionsJson)
        {
            Adagrad = c.Adagrad! with { ItemBiases = new float[8] },
        });
    }

    [Fact]
    public void EveryTruncationIsRejected()
    {
        var bytes = Bytes(FixtureModel());
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(bytes.AsSpan(0, length), "cut.gpumf"));
            Assert.Contains("cut.gpumf", e.Message);
        }
    }

    [Fact]
    public void EveryBitFlipIsRejected()
    {
        var bytes = Bytes(FixtureModel());
        for (int at = 0; at < bytes.Length; at++)
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= (byte)(1 << (at % 8));
            Assert.Throws<InvalidDataException>(() => ModelFile.Parse(copy, "flip.gpumf"));
        }
    }

    [Fact]
    public void WrongMagicAndFutureVersionHaveClearMessages()
    {
        var bytes = Bytes(FixtureModel());
        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        Assert.Contains("not a GpuMF model", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(magic, "m")).Message);
        var future = (byte[])bytes.Clone();
        future[8] = 9;
        Assert.Contains("version 9 is not supported", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(future, "m")).Message);
    }

    [Fact]
    public void NpyExportHasAValidHeader()
    {
        string path = TestData.TempPath(".npy");
        try
        {
            NpyWriter.Write(path, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0x93, bytes[0]);
            Assert.Equal("NUMPY", System.Text.Encoding.ASCII.GetString(bytes, 1, 5));
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, (10 + headerLength) % 64);
            Assert.Contains("'shape': (2, 3)", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength));
            Assert.Equal(10 + headerLength + 24, bytes.Length);
            Assert.Equal(6f, BitConverter.ToSingle(bytes, bytes.Length - 4));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
