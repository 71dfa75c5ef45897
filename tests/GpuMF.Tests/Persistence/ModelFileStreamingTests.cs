using System.Security.Cryptography;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Persistence;

/// <summary>
/// The model file written and read section by section: the bytes are those format version 1 always had,
/// and neither saving nor loading holds the whole file in memory.
/// </summary>
public sealed class ModelFileStreamingTests
{
    private static float[] Pattern(long n, int salt) => Enumerable.Range(0, (int)n).Select(i => ((i * 37 + salt) % 19 - 9) / 8f).ToArray();

    /// <summary>A BPR checkpoint with every optional section, from exactly representable values, so that its bytes do not depend on the machine.</summary>
    private static FactorModel Checkpoint() => new(ModelKind.Bpr, TestModels.Ids(5, -2), TestModels.Ids(7, 1L << 40), 3, Pattern(15, 1), Pattern(21, 2), null, Pattern(7, 3), 0f,
        [0, 2, 2, 3, 5, 6], [1, 4, 0, 2, 6, 3], "{\"Factors\":3,\"note\":\"é\"}")
    {
        CompletedEpochs = 4,
        Adagrad = new AdagradSums(Pattern(15, 4).Select(x => 3f + x).ToArray(), Pattern(21, 5).Select(x => 3f + x).ToArray(), Pattern(7, 6).Select(x => 3f + x).ToArray()),
    };

    private static byte[] Bytes(FactorModel model)
    {
        using var stream = new MemoryStream();
        ModelFile.WriteTo(model, stream);
        return stream.ToArray();
    }

    [Fact]
    public void SavingGivesTheBytesOfTheVersion1Writer()
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "model-v1.gpumf")), Bytes(ModelFileTests.FixtureModel()));
        // SHA-256 of what the writer before streaming (commit bfb4ca8) made of Checkpoint().
        var bytes = Bytes(Checkpoint());
        Assert.Equal(717, bytes.Length);
        Assert.Equal("4898dec72d7e29ff4279d5ef05985e5ca4d46a6e454ca7c02bf2effdf18ddee9", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>A stream that hides that it can seek, as a pipe does.</summary>
    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void AStreamThatCannotSeekLoadsAndItsTruncationIsCaught()
    {
        var model = Checkpoint();
        var bytes = Bytes(model);
        var loaded = ModelFile.ReadFrom(new NonSeekable(new MemoryStream(bytes)), "pipe");
        Assert.Equal(model.ItemFactors, loaded.ItemFactors);
        Assert.Equal(model.Adagrad!.Items, loaded.Adagrad!.Items);
        for (int cut = 0; cut < bytes.Length; cut += 7)
        {
            var e = Assert.Throws<InvalidDataException>(() => ModelFile.ReadFrom(new NonSeekable(new MemoryStream(bytes, 0, cut)), "pipe"));
            Assert.StartsWith("Model file 'pipe': ", e.Message);
        }
    }

    /// <summary>20,000 users × 640 factors: a 51 MB factor matrix, crossing many of the 1 MiB chunks the file moves in.</summary>
    private static FactorModel Large()
    {
        const int Users = 20_000, Items = 50, Factors = 640;
        var p = new float[Users * Factors];
        for (int k = 0; k < p.Length; k++)
        {
            p[k] = (k % 1009 - 504) / 256f;
        }
        var seenPtr = new int[Users + 1];
        return new FactorModel(ModelKind.Als, TestModels.Ids(Users), TestModels.Ids(Items, 1_000_000), Factors, p, Pattern((long)Items * Factors, 7), null, null, 0f, seenPtr, [], "{}");
    }

    /// <summary>
    /// Counted on this thread, where the file is written and read: saving allocates next to nothing beside the
    /// file's size (the writer before this one built no whole-file buffer either, but could not take 2 GiB
    /// arrays), and loading allocates about the arrays it returns, where reading the file's bytes first
    /// allocated them twice.
    /// </summary>
    [Fact]
    public void SavingAndLoadingHoldNoWholeFileInMemory()
    {
        var model = Large();
        string path = TestData.TempPath(".gpumf");
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ModelFile.Write(model, path);
            long saving = GC.GetAllocatedBytesForCurrentThread() - before;
            long size = new FileInfo(path).Length;
            Assert.True(saving < size / 20, $"saving a {size}-byte file allocated {saving} bytes");

            before = GC.GetAllocatedBytesForCurrentThread();
            var loaded = ModelFile.Read(path);
            long loading = GC.GetAllocatedBytesForCurrentThread() - before;
            long arrays = 4L * (loaded.UserFactors.Length + loaded.ItemFactors.Length) + 8L * (loaded.Users.Count + loaded.Items.Count) + 4L * loaded.SeenPtr.Length;
            Assert.True(loading <= arrays * 1.2, $"loading {arrays} bytes of arrays allocated {loading} bytes");
            Assert.Equal(model.UserFactors, loaded.UserFactors);
            Assert.Equal(model.Items.Ids, loaded.Items.Ids);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
