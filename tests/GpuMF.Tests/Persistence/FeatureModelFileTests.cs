using System.Buffers.Binary;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Persistence;

/// <summary>Model files of hybrid models (format version 3): the committed fixture, round trips that keep the cold-start answers, and every way a feature section can be corrupt.</summary>
public sealed class FeatureModelFileTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-v3.gpumf");

    /// <summary>
    /// The model stored in Fixtures/model-v3.gpumf: <see cref="HybridModels.Tiny"/> with string ids, user descriptions
    /// scaled and item descriptions not, feature names with '=', ',', an apostrophe and 'ë'.
    /// </summary>
    internal static FactorModel FixtureModel() => HybridModels.Tiny(userNormalized: true, itemNormalized: false);

    private static void AssertSameFeatures(FeatureEmbeddings? expected, FeatureEmbeddings? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is null)
        {
            return;
        }
        Assert.Equal(expected.Names.Count, actual!.Names.Count);
        Assert.Equal(expected.Names.Count == 0 ? [] : expected.Names.Names, actual.Names.Count == 0 ? [] : actual.Names.Names);
        Assert.Equal(expected.Factors, actual.Factors);
        Assert.Equal(expected.Vectors, actual.Vectors);
        Assert.Equal(expected.Biases, actual.Biases);
        Assert.Equal(expected.Normalized, actual.Normalized);
    }

    private static void AssertSame(FactorModel expected, FactorModel actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(Enumerable.Range(0, expected.Users.Count).Select(expected.Users.Text), Enumerable.Range(0, actual.Users.Count).Select(actual.Users.Text));
        Assert.Equal(Enumerable.Range(0, expected.Items.Count).Select(expected.Items.Text), Enumerable.Range(0, actual.Items.Count).Select(actual.Items.Text));
        Assert.Equal(expected.UserFactors, actual.UserFactors);
        Assert.Equal(expected.ItemFactors, actual.ItemFactors);
        Assert.Equal(expected.ItemBias, actual.ItemBias);
        Assert.Equal(expected.SeenPtr, actual.SeenPtr);
        Assert.Equal(expected.SeenItems, actual.SeenItems);
        Assert.Equal(expected.OptionsJson, actual.OptionsJson);
        AssertSameFeatures(expected.UserFeatures, actual.UserFeatures);
        AssertSameFeatures(expected.ItemFeatures, actual.ItemFeatures);
    }

    private static string Rejected(byte[] file) =>
        Assert.Throws<InvalidDataException>(() => ModelFile.Parse(file, "bad.gpumf")).Message;

    [Fact]
    public void TheCommittedFixtureLoadsWithItsKnownContents()
    {
        var bytes = File.ReadAllBytes(FixturePath);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var model = FactorModel.Load(FixturePath);
        AssertSame(FixtureModel(), model);
        Assert.Equal(["age=25-34", "gender=F", "occupation=programmer"], model.UserFeatures!.Names.Names);
        Assert.Equal(["genre=Animation", "genre=Children's", "keyword=zoë,space"], model.ItemFeatures!.Names.Names);
        Assert.True(model.UserFeatures.Normalized);
        Assert.False(model.ItemFeatures.Normalized);
        Assert.Null(model.UserFeatures.Biases);
        Assert.Equal([0.5f, -0.5f, 1f], model.ItemFeatures.Biases!);

        // ¼·(2, 0) + ¾·(0, 4) = (0.5, 3): i2 3 + 0.2 first, then i4 0.25 + 1.5 - 0.1.
        var user = model.UserFromFeatures([("age=25-34", 1f), ("gender=F", 3f)]);
        Assert.Equal([0.5f, 3f], user.Factors);
        Assert.Equal(["i2", "i4"], model.Recommend(user, 2).Select(r => r.Name));
        // Unscaled: (3, 0) + (-1, 1) = (2, 1), bias 0.5 + 1.
        var item = model.ItemFromFeatures([("genre=Animation", 1f), ("keyword=zoë,space", 1f)]);
        Assert.Equal([2f, 1f], item.Factors);
        Assert.Equal(1.5f, item.Bias, 6);
        // ann 2 + 1.5, bob 1 + 1.5, cy 3 + 1.5.
        Assert.Equal(["cy", "ann", "bob"], model.TopUsers(item, 3).Select(r => r.Name));
    }

    [Fact]
    public void TheWriterStillMakesTheFixtureByteForByte() =>
        Assert.Equal(File.ReadAllBytes(FixturePath), CraftedModels.Bytes(FixtureModel()));

    [Fact]
    public void OnlyModelsWithFeaturesAreVersion3()
    {
        Assert.Equal(3u, ModelFile.VersionOf(FixtureModel()));
        Assert.Equal(3u, ModelFile.VersionOf(HybridModels.Tiny(ids: IdKind.Numeric, userFeatures: false)));
        Assert.Equal(3u, ModelFile.VersionOf(HybridModels.Tiny(ids: IdKind.Numeric, itemFeatures: false)));
        var plainIntegers = HybridModels.Tiny(ids: IdKind.Numeric, userFeatures: false, itemFeatures: false);
        var plainStrings = HybridModels.Tiny(userFeatures: false, itemFeatures: false);
        Assert.Equal(1u, ModelFile.VersionOf(plainIntegers));
        Assert.Equal(2u, ModelFile.VersionOf(plainStrings));
        foreach (var plain in new[] { plainIntegers, plainStrings })
        {
            var bytes = CraftedModels.Bytes(plain);
            Assert.Equal(ModelFile.VersionOf(plain), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
            Assert.DoesNotContain(CraftedModels.Split(bytes).Sections, s => s.Tag is "UFNM" or "UFEM" or "IFNM" or "IFEM");
            Assert.Null(ModelFile.Parse(bytes, "plain").UserFeatures);
        }
    }

    [Fact]
    public void ARoundTripKeepsTheFeaturesAndTheColdStartAnswers()
    {
        var model = HybridModels.Tiny(ids: IdKind.Numeric);
        string path = TestData.TempPath(".gpumf");
        try
        {
            model.Save(path);
            var loaded = FactorModel.Load(path);
            AssertSame(model, loaded);
            (string, float)[] person = [("age=25-34", 2f), ("occupation=programmer", 1f)];
            (string, float)[] film = [("genre=Children's", 1f), ("keyword=zoë,space", 3f)];
            Assert.Equal(model.Recommend(model.UserFromFeatures(person), 4), loaded.Recommend(loaded.UserFromFeatures(person), 4));
            var item = model.ItemFromFeatures(film);
            var again = loaded.ItemFromFeatures(film);
            Assert.Equal(item.Factors, again.Factors);
            Assert.Equal(item.Bias, again.Bias);
            Assert.Equal(model.SimilarItems(item, 4), loaded.SimilarItems(again, 4));
            Assert.Equal(model.ScoreUsers(item), loaded.ScoreUsers(again));
            Assert.Equal(model.TopUsers(item, 3), loaded.TopUsers(again, 3));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OneSidedFeaturesWithoutBiasesAndNoNamedFeaturesRoundTrip()
    {
        var m = HybridModels.Tiny(ids: IdKind.Numeric, userFeatures: false);
        var itemsOnly = new FactorModel(m.Kind, m.Users, m.Items, m.Factors, m.UserFactors, m.ItemFactors, null, null, 0f, m.SeenPtr, m.SeenItems, m.OptionsJson)
        {
            ItemFeatures = new FeatureEmbeddings(new IdMap(["a=1"]), 2, [0.25f, -4f], null, false),
        };
        var bytes = CraftedModels.Bytes(itemsOnly);
        Assert.Equal(["OPTS", "DIMS", "UIDS", "IIDS", "UFAC", "IFAC", "SEEN", "IFNM", "IFEM"], CraftedModels.Split(bytes).Sections.Select(s => s.Tag));
        AssertSame(itemsOnly, ModelFile.Parse(bytes, "m"));

        var none = new FactorModel(m.Kind, m.Users, m.Items, m.Factors, m.UserFactors, m.ItemFactors, null, null, 0f, m.SeenPtr, m.SeenItems, m.OptionsJson)
        {
            UserFeatures = new FeatureEmbeddings(new IdMap(), 2, [], null, true),
        };
        var loaded = ModelFile.Parse(CraftedModels.Bytes(none), "m");
        Assert.Equal(0, loaded.UserFeatures!.Names.Count);
        Assert.True(loaded.UserFeatures.Normalized);
    }

    [Fact]
    public void EveryTruncationAndBitFlipOfAVersion3FileIsRejected()
    {
        var bytes = File.ReadAllBytes(FixturePath);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Contains("cut.gpumf", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(bytes.AsSpan(0, length), "cut.gpumf")).Message);
        }
        for (int at = 0; at < bytes.Length; at++)
        {
            var copy = (byte[])bytes.Clone();
            copy[at] ^= (byte)(1 << (at % 8));
            Assert.Throws<InvalidDataException>(() => ModelFile.Parse(copy, "flip.gpumf"));
        }
    }

    /// <summary>The IFEM payload: flags (4 bytes), 3 × 2 embeddings, 3 biases.</summary>
    [Theory]
    [InlineData(4, float.NaN, "section 'IFEM' holds a non-finite value at index 0")]
    [InlineData(8, float.PositiveInfinity, "section 'IFEM' holds a non-finite value at index 1")]
    [InlineData(28, -1e20f, "section 'IFEM' holds -1E+20 at index 0, beyond ±1E+15")]
    public void FeatureValuesMustBeFiniteAndWithinTheMaximum(int at, float value, string fragment)
    {
        var file = CraftedModels.Patch(CraftedModels.Bytes(FixtureModel()), "IFEM", p => BinaryPrimitives.WriteSingleLittleEndian(p.AsSpan(at), value));
        var e = Rejected(file);
        Assert.StartsWith("Model file 'bad.gpumf': ", e);
        Assert.Contains(fragment, e);
    }

    [Fact]
    public void FlagsAndLengthsOfTheEmbeddingsAreChecked()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        Assert.Contains("section 'IFEM' has the unknown flags 6", Rejected(CraftedModels.Patch(file, "IFEM", p => p[0] = 6)));
        // Biases flagged away: the section is then 12 bytes longer than 3 embeddings of 2 factors.
        Assert.Contains("section 'IFEM' holds 40 bytes, 28 expected for 3 features of 2 factors", Rejected(CraftedModels.Patch(file, "IFEM", p => p[0] = 0)));
        // Biases flagged in on the user side, where there are none.
        Assert.Contains("section 'UFEM' holds 28 bytes, 40 expected for 3 features of 2 factors and their biases", Rejected(CraftedModels.Patch(file, "UFEM", p => p[0] = 3)));
        var (header, sections) = CraftedModels.Split(file);
        var shorter = sections.Select(s => s.Tag == "UFEM" ? (s.Tag, s.Payload[..^4]) : s);
        Assert.Contains("section 'UFEM' holds 24 bytes, 28 expected", Rejected(CraftedModels.Join(header, shorter)));
        var flagless = sections.Select(s => s.Tag == "UFEM" ? (s.Tag, s.Payload[..2]) : s);
        Assert.Contains("section 'UFEM' holds 2 bytes, too few for its flags", Rejected(CraftedModels.Join(header, flagless)));
    }

    /// <summary>The UFNM payload: count 3, then "age=25-34" (9 bytes), "gender=F" (8), "occupation=programmer" (21).</summary>
    [Fact]
    public void CorruptFeatureNamesAreNamed()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        var huge = Rejected(CraftedModels.Patch(file, "UFNM", p => BinaryPrimitives.WriteInt32LittleEndian(p, 1000)));
        Assert.Contains("section 'UFNM' claims 1000 names, but its 54 bytes hold at most 12", huge);
        Assert.Contains("section 'UFNM' claims -1 names", Rejected(CraftedModels.Patch(file, "UFNM", p => BinaryPrimitives.WriteInt32LittleEndian(p, -1))));
        Assert.Contains("section 'UFNM' gives name 0 a length of 99 bytes", Rejected(CraftedModels.Patch(file, "UFNM", p => BinaryPrimitives.WriteInt32LittleEndian(p.AsSpan(4), 99))));
        Assert.Contains("section 'UFNM' holds name 1, which is not valid UTF-8", Rejected(CraftedModels.Patch(file, "UFNM", p => p[4 + 4 + 9 + 4] = 0xFF)));
        var (header, sections) = CraftedModels.Split(file);
        var twice = sections.Select(s => s.Tag == "IFNM" ? (s.Tag, Names("genre=Animation", "keyword=zoë,space", "genre=Animation")) : s);
        Assert.Contains("section 'IFNM': Id 'genre=Animation' occurs twice (at indices 0 and 2)", Rejected(CraftedModels.Join(header, twice)));
        var longer = sections.Select(s => s.Tag == "IFNM" ? (s.Tag, s.Payload.Append((byte)0).ToArray()) : s);
        Assert.Contains("section 'IFNM' holds 1 bytes after its last name", Rejected(CraftedModels.Join(header, longer)));
    }

    /// <summary>A names section's payload: the count, then each name's UTF-8 length and bytes.</summary>
    private static byte[] Names(params string[] names)
    {
        using var stream = new MemoryStream();
        stream.Write(BitConverter.GetBytes(names.Length));
        foreach (string name in names)
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
            stream.Write(BitConverter.GetBytes(bytes.Length));
            stream.Write(bytes);
        }
        return stream.ToArray();
    }

    [Fact]
    public void NamesAndEmbeddingsComeTogetherAndInOrder()
    {
        var (header, sections) = CraftedModels.Split(CraftedModels.Bytes(FixtureModel()));
        var noNames = sections.Where(s => s.Tag != "UFNM");
        Assert.Contains("section 'UFEM' holds feature embeddings, but no section 'UFNM' of their names comes before it", Rejected(CraftedModels.Join(header, noNames)));
        var noEmbeddings = sections.Where(s => s.Tag != "IFEM");
        Assert.Contains("section 'IFNM' names features, but section 'IFEM' of their embeddings is missing", Rejected(CraftedModels.Join(header, noEmbeddings)));
        var swapped = sections.Where(s => s.Tag is not ("UFNM" or "UFEM")).Concat(sections.Where(s => s.Tag == "UFEM")).Concat(sections.Where(s => s.Tag == "UFNM"));
        Assert.Contains("no section 'UFNM' of their names comes before it", Rejected(CraftedModels.Join(header, swapped)));
        var early = sections.Where(s => s.Tag == "IFNM").Concat(sections.Where(s => s.Tag != "IFNM"));
        Assert.Contains("section 'IFNM' comes before section 'DIMS'", Rejected(CraftedModels.Join(header, early)));
    }

    [Fact]
    public void FeaturesBelongToBprAndWarpModelsOnly()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        Assert.Contains("an SVD model has no feature embeddings, but this file holds user features", Rejected(CraftedModels.Relabel(file, ModelKind.Svd)));
        Assert.Equal(ModelKind.Warp, ModelFile.Parse(CraftedModels.Relabel(file, ModelKind.Warp), "m").Kind);
    }

    [Fact]
    public void FeatureSectionsNeedVersion3AndLaterVersionsAreRefusedByNumber()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        var (header, sections) = CraftedModels.Split(file);
        var v2 = (byte[])header.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), 2);
        Assert.Contains("section 'UFNM' (feature names) needs format version 3, but the file says version 2", Rejected(CraftedModels.Join(v2, sections)));

        // Builds that read versions 1..2 refuse a version 3 file by the same rule, before reading any section.
        var v4 = (byte[])file.Clone();
        v4[8] = 4;
        Assert.Contains("format version 4 is not supported by this build (it reads versions 1..3); upgrade GpuMF", Rejected(v4));
    }

    [Fact]
    public void AFeatureNameUtf8CannotWriteIsRefusedBeforeAnythingIsWritten()
    {
        var m = FixtureModel();
        var bad = new FactorModel(m.Kind, m.Users, m.Items, m.Factors, m.UserFactors, m.ItemFactors, null, m.ItemBias, 0f, m.SeenPtr, m.SeenItems, m.OptionsJson)
        {
            UserFeatures = new FeatureEmbeddings(new IdMap(["a", "b\uDC00"]), 2, new float[4], null, true),
        };
        string path = TestData.TempPath(".gpumf");
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Write(bad, path));
        Assert.Contains("user feature name at index 1", e.Message);
        Assert.False(File.Exists(path));
    }
}
