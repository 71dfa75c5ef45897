using System.Buffers.Binary;
using System.Text;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Persistence;

/// <summary>Model files of string ids (format version 2): the committed fixture, round trips, and every way a string section can be corrupt.</summary>
public sealed class StringIdModelFileTests
{
    private static string FixturePath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-v2.gpumf");

    /// <summary>The model stored in Fixtures/model-v2.gpumf: string ids with a comma, a quote and a letter beyond ASCII.</summary>
    internal static FactorModel FixtureModel() => new(
        ModelKind.Svd,
        new IdMap(["ann", "bob,jr", "zoë"]),
        new IdMap(["m1", "m\"2", "m3"]),
        2,
        [0.5f, -1f, 0.25f, 2f, 1f, 1f],
        [1f, 0f, 0f, 1f, -0.5f, 0.5f],
        [0.1f, -0.2f, 0f],
        [0.3f, 0f, -0.3f],
        3.5f,
        [0, 1, 3, 3],
        [2, 0, 1],
        "{\"Factors\":2}");

    private static void AssertSame(FactorModel expected, FactorModel actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Users.Kind, actual.Users.Kind);
        Assert.Equal(expected.Items.Kind, actual.Items.Kind);
        Assert.Equal(Enumerable.Range(0, expected.Users.Count).Select(expected.Users.Text), Enumerable.Range(0, actual.Users.Count).Select(actual.Users.Text));
        Assert.Equal(Enumerable.Range(0, expected.Items.Count).Select(expected.Items.Text), Enumerable.Range(0, actual.Items.Count).Select(actual.Items.Text));
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
    public void BothCommittedFixturesLoadWithTheirKnownContents()
    {
        var v1 = FactorModel.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-v1.gpumf"));
        Assert.Equal(IdKind.Numeric, v1.Users.Kind);
        Assert.Equal([7L, 3L], v1.Users.Ids);
        Assert.Equal(3.5f + 0.1f + 0.3f + 0.5f, v1.Predict(7, 100), 5);

        var bytes = File.ReadAllBytes(FixturePath);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var v2 = FactorModel.Load(FixturePath);
        AssertSame(FixtureModel(), v2);
        Assert.Equal(["ann", "bob,jr", "zoë"], v2.Users.Names);
        // μ + b_u + b_i + p·q for (bob,jr, m1): 3.5 - 0.2 + 0.3 + 0.25.
        Assert.Equal(3.5f - 0.2f + 0.3f + 0.25f, v2.Predict("bob,jr", "m1"), 5);
        // zoë's factors (1, 1): m1 scores 1 + 0.3, m"2 scores 1, m3 scores 0 - 0.3.
        var top = v2.Recommend("zoë", 2);
        Assert.Equal(["m1", "m\"2"], top.Select(r => r.Name));
        Assert.Equal([1.3f, 1f], top.Select(r => r.Score));
    }

    [Fact]
    public void TheWriterStillMakesTheFixtureByteForByte() =>
        Assert.Equal(File.ReadAllBytes(FixturePath), CraftedModels.Bytes(FixtureModel()));

    [Fact]
    public void MixedKindsRoundTrip()
    {
        var m = FixtureModel();
        var mixed = new FactorModel(m.Kind, m.Users, TestModels.Ids(3, 100), m.Factors, m.UserFactors, m.ItemFactors, m.UserBias, m.ItemBias, m.GlobalMean, m.SeenPtr, m.SeenItems, m.OptionsJson);
        var bytes = CraftedModels.Bytes(mixed);
        Assert.Equal(["OPTS", "DIMS", "UNAM", "IIDS"], CraftedModels.Split(bytes).Sections.Take(4).Select(s => s.Tag));
        var loaded = ModelFile.Parse(bytes, "mixed");
        AssertSame(mixed, loaded);
        Assert.Equal(mixed.Predict("ann", "102"), loaded.Predict("ann", "102"));
    }

    [Fact]
    public void EveryTruncationAndBitFlipOfAVersion2FileIsRejected()
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

    /// <summary>The UNAM payload: count 3, then "ann" (3 bytes), "bob,jr" (6), "zoë" (4: ë is two bytes).</summary>
    [Theory]
    [InlineData(0, 4, "holds 4 ids, but the dimensions say 3")]
    [InlineData(4, 100, "gives id 0 a length of 100 bytes")]
    [InlineData(4, -1, "gives id 0 a length of -1 bytes")]
    public void CorruptCountsAndLengthsAreNamed(int at, int value, string fragment)
    {
        var file = CraftedModels.Patch(CraftedModels.Bytes(FixtureModel()), "UNAM", p => BinaryPrimitives.WriteInt32LittleEndian(p.AsSpan(at), value));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(file, "bad.gpumf"));
        Assert.Contains("bad.gpumf", e.Message);
        Assert.Contains("section 'UNAM'", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void InvalidUtf8DuplicatesAndTrailingBytesAreRejected()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        // The first byte of "ann" made a lone continuation byte.
        var invalid = CraftedModels.Patch(file, "UNAM", p => p[8] = 0x80);
        Assert.Contains("id 0, which is not valid UTF-8", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(invalid, "m")).Message);
        // "m3" made "m1" again.
        var twice = CraftedModels.Patch(file, "INAM", p => p[^1] = (byte)'1');
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Parse(twice, "m"));
        Assert.Contains("section 'INAM'", e.Message);
        Assert.Contains("'m1' occurs twice", e.Message);

        var (header, sections) = CraftedModels.Split(file);
        var longer = sections.Select(s => s.Tag == "UNAM" ? (s.Tag, s.Payload.Append((byte)0).ToArray()) : s);
        Assert.Contains("holds 1 bytes after its last id", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(CraftedModels.Join(header, longer), "m")).Message);
    }

    [Fact]
    public void StringSectionsAreRefusedInAVersion1FileAndBesideIntegerIds()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        var (header, sections) = CraftedModels.Split(file);
        var v1 = (byte[])header.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(v1.AsSpan(8), 1);
        Assert.Contains("section 'UNAM' (string ids) needs format version 2, but the file says version 1", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(CraftedModels.Join(v1, sections), "m")).Message);

        var both = sections.SelectMany(s => s.Tag == "UNAM" ? [s, ("UIDS", new byte[3 * 8])] : new[] { s });
        Assert.Contains("section 'UIDS' holds user ids, but another section already did", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(CraftedModels.Join(header, both), "m")).Message);

        var none = sections.Where(s => s.Tag != "INAM");
        Assert.Contains("required section 'IIDS' or 'INAM' is missing", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(CraftedModels.Join(header, none), "m")).Message);
    }

    [Fact]
    public void AFutureVersionNamesTheVersionsThisBuildReads()
    {
        var file = CraftedModels.Bytes(FixtureModel());
        file[8] = 4;
        Assert.Contains("format version 4 is not supported by this build (it reads versions 1..3); upgrade GpuMF", Assert.Throws<InvalidDataException>(() => ModelFile.Parse(file, "m")).Message);
    }

    [Fact]
    public void AnIdUtf8CannotWriteIsRefusedBeforeAnythingIsWritten()
    {
        var m = FixtureModel();
        var bad = new FactorModel(m.Kind, new IdMap(["ann", "b\uD800", "zoë"]), m.Items, m.Factors, m.UserFactors, m.ItemFactors, m.UserBias, m.ItemBias, m.GlobalMean, m.SeenPtr, m.SeenItems, m.OptionsJson);
        string path = TestData.TempPath(".gpumf");
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Write(bad, path));
        Assert.Contains("user id at index 1", e.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>
    /// Loading holds each string id once: what a load allocates is the strings, their list and dictionary and the
    /// model's arrays, with less slack than a second copy of the strings would take.
    /// </summary>
    [Fact]
    public void LoadingStringIdsHoldsEachStringOnce()
    {
        const int users = 100_000;
        var names = Enumerable.Range(0, users).Select(u => $"user-{u:D15}").ToList();
        var model = new FactorModel(ModelKind.Als, new IdMap(names), new IdMap(["only"]), 1, new float[users], [1f], null, null, 0f, new int[users + 1], [], "{}");
        string path = TestData.TempPath(".gpumf");
        try
        {
            model.Save(path);
            FactorModel.Load(path);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var loaded = FactorModel.Load(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Each string: 22 bytes of header, length and terminator and 2 a character, in 8-byte steps.
            long strings = users * ((22 + 2L * 20 + 7) / 8 * 8);
            Assert.Equal(names, loaded.Users.Names);
            // Beside them, per id: 8 bytes in the list, about 28 in the dictionary, 4 of factors and 4 of offsets; 2 MB for the rest.
            long others = users * 44L + 2_000_000;
            Assert.True(allocated < strings + others, $"loading allocated {allocated:N0} bytes; the strings take {strings:N0}, the rest should take under {others:N0}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StringIdsExportAsNumpyUnicode()
    {
        string path = TestData.TempPath(".npy");
        try
        {
            NpyWriter.Write(path, ["ab", "zoë", ""]);
            var bytes = File.ReadAllBytes(path);
            int headerLength = BitConverter.ToUInt16(bytes, 8);
            string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
            Assert.Contains("'descr': '<U3'", header);
            Assert.Contains("'shape': (3,)", header);
            var body = bytes.AsSpan(10 + headerLength);
            Assert.Equal(3 * 3 * 4, body.Length);
            Assert.Equal("zoë", Encoding.UTF32.GetString(body.Slice(12, 12)));
            Assert.Equal("ab\0", Encoding.UTF32.GetString(body[..12]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
