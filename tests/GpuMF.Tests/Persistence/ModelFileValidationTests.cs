using System.Buffers.Binary;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Support;
using static GpuMF.Tests.Persistence.CraftedModels;

namespace GpuMF.Tests.Persistence;

/// <summary>
/// Files with a valid checksum that no trainer writes: values that make every score infinite, biases the
/// model kind does not have, flags that disagree with the sections. Each must fail to load, saying what is wrong.
/// </summary>
public sealed class ModelFileValidationTests
{
    private static FactorModel With(ModelKind kind, float[]? userBias, float[]? itemBias, Action<float[]>? editUsers = null, Action<float[]>? editItems = null, float mean = 0f)
    {
        var m = TestModels.Random(3, 4, 2, seed: 5, kind: ModelKind.Als);
        var p = (float[])m.UserFactors.Clone();
        var q = (float[])m.ItemFactors.Clone();
        editUsers?.Invoke(p);
        editItems?.Invoke(q);
        return new FactorModel(kind, m.Users, m.Items, m.Factors, p, q, userBias, itemBias, mean, m.SeenPtr, m.SeenItems, m.OptionsJson);
    }

    private static string Rejected(byte[] file) => Assert.Throws<InvalidDataException>(() => ModelFile.Parse(file, "crafted.gpumf")).Message;

    [Fact]
    public void FactorsSoLargeThatEveryScoreIsInfiniteAreRejected()
    {
        var model = With(ModelKind.Als, null, null, p => Array.Fill(p, 3e38f), q => Array.Fill(q, 3e38f));
        Assert.True(float.IsInfinity(model.Score(0, 0)));
        string message = Rejected(Bytes(model));
        Assert.StartsWith("Model file 'crafted.gpumf': section 'UFAC' holds 3E+38 at index 0, beyond ±1E+15", message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteFactorsAreRejected(float bad)
    {
        Assert.Contains("section 'UFAC' holds a non-finite value at index 5", Rejected(Bytes(With(ModelKind.Als, null, null, editUsers: p => p[5] = bad))));
    }

    [Fact]
    public void LargeButBoundedFactorsLoad()
    {
        var model = With(ModelKind.Als, null, null, editUsers: p => p[0] = -ModelFile.MaxMagnitude);
        Assert.Equal(-ModelFile.MaxMagnitude, ModelFile.Parse(Bytes(model), "m").UserFactors[0]);
    }

    [Theory]
    [InlineData(ModelKind.Svd, true, true, null)]
    [InlineData(ModelKind.Svd, false, false, null)]
    [InlineData(ModelKind.Als, false, false, null)]
    [InlineData(ModelKind.Als, true, true, "an ALS model has no biases, but this file holds user biases")]
    [InlineData(ModelKind.Als, false, true, "an ALS model has no biases, but this file holds item biases")]
    [InlineData(ModelKind.Bpr, false, true, null)]
    [InlineData(ModelKind.Bpr, true, true, "a BPR model has no user biases, but this file holds them")]
    [InlineData(ModelKind.Warp, false, true, null)]
    [InlineData(ModelKind.Warp, true, false, "a WARP model has no user biases, but this file holds them")]
    public void BiasesMustBeOnesTheModelKindHas(ModelKind kind, bool userBias, bool itemBias, string? problem)
    {
        var file = Bytes(With(kind, userBias ? [0.1f, 0.2f, 0.3f] : null, itemBias ? [1f, 2f, 3f, 4f] : null));
        if (problem is null)
        {
            Assert.Equal(kind, ModelFile.Parse(file, "m").Kind);
        }
        else
        {
            Assert.Equal($"Model file 'crafted.gpumf': {problem}.", Rejected(file));
        }
    }

    [Fact]
    public void AnSvdFileRelabelledAsAlsIsRejected()
    {
        var svd = Bytes(TestModels.Random(3, 4, 2, seed: 6, kind: ModelKind.Svd));
        Assert.Contains("an ALS model has no biases", Rejected(Relabel(svd, ModelKind.Als)));
    }

    [Theory]
    [InlineData("UBIA", 1e20f)]
    [InlineData("IBIA", -1e16f)]
    [InlineData("IBIA", float.NaN)]
    public void BiasesAreBoundedAsFactorsAre(string tag, float bad)
    {
        var svd = Bytes(TestModels.Random(3, 4, 2, seed: 7, kind: ModelKind.Svd));
        var file = Patch(svd, tag, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4), bad));
        Assert.Contains($"section '{tag}' holds", Rejected(file));
        Assert.Contains("at index 1", Rejected(file));
    }

    [Fact]
    public void AGlobalMeanBeyondTheBoundIsRejected()
    {
        Assert.Contains("the global mean 1E+30 is beyond", Rejected(Bytes(With(ModelKind.Svd, null, null, mean: 1e30f))));
    }

    [Fact]
    public void FlagsAndBiasSectionsMustAgree()
    {
        var svd = Bytes(TestModels.Random(3, 4, 2, seed: 8, kind: ModelKind.Svd));
        var unflagged = Patch(svd, "DIMS", d => BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(12), 2));
        Assert.Contains("section 'UBIA' is present, but the dimensions' flags say there are no user biases", Rejected(unflagged));
        var (header, sections) = Split(svd);
        Assert.Contains("required section 'IBIA' is missing", Rejected(Join(header, sections.Where(s => s.Tag != "IBIA"))));
    }

    [Fact]
    public void ArraysBeforeTheirDimensionsAreRejected()
    {
        var (header, sections) = Split(Bytes(TestModels.Random(3, 4, 2, seed: 9)));
        var reordered = sections.Where(s => s.Tag == "UIDS").Concat(sections.Where(s => s.Tag != "UIDS"));
        Assert.Contains("section 'UIDS' comes before section 'DIMS'", Rejected(Join(header, reordered)));
    }

    [Fact]
    public void SectionsOfLaterBuildsAreSkipped()
    {
        var model = TestModels.Random(3, 4, 2, seed: 10);
        var (header, sections) = Split(Bytes(model));
        sections.Insert(3, ("XTRA", new byte[3 << 20]));
        var loaded = ModelFile.Parse(Join(header, sections), "m");
        Assert.Equal(model.UserFactors, loaded.UserFactors);
    }

    [Fact]
    public void AnOffsetBeyondTheSeenItemsIsRejectedEvenWhenALaterOneIsNot()
    {
        // One seen item a user, offsets 0, 1, 2, 3 made 0, 100, 2, 3: the first and last still match the items.
        var model = TestModels.Random(3, 4, 2, seed: 6, seenPerUser: 1);
        var file = Patch(Bytes(model), "SEEN", p => BinaryPrimitives.WriteInt32LittleEndian(p.AsSpan(4), 100));
        Assert.Contains("section 'SEEN' gives user 0 items up to offset 100, beyond its 3 item indices", Rejected(file));
    }

    [Fact]
    public void BytesAfterTheChecksumAreRejected()
    {
        var file = Bytes(TestModels.Random(3, 4, 2, seed: 11));
        Assert.Contains("bytes follow the checksum section", Rejected([.. file, 0]));
    }

    [Fact]
    public void AFolderOrADeviceIsNotAModelFile()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        Assert.Equal($"Model file '{folder}': is a directory, not a regular file: give the path of a saved model.",
            Assert.Throws<InvalidDataException>(() => ModelFile.Read(folder)).Message);
        Assert.Equal("Model file '/dev/zero': is a character device, not a regular file: give the path of a saved model.",
            Assert.Throws<InvalidDataException>(() => FactorModel.Load("/dev/zero")).Message);
        Assert.Throws<FileNotFoundException>(() => ModelFile.Read(Path.Combine(folder, "absent.gpumf")));
    }

    [Fact]
    public void IdMapsOfALoadedModelHashByTheMixingComparer()
    {
        var loaded = ModelFile.Parse(Bytes(TestModels.Random(3, 4, 2, seed: 12)), "m");
        Assert.Same(IdComparer.Instance, loaded.Users.Comparer);
        Assert.Same(IdComparer.Instance, loaded.Items.Comparer);
    }
}
