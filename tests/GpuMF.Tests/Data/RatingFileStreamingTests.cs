using System.IO.Pipes;
using System.Text;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data;

/// <summary>
/// The ratings reader on inputs that are not plain files (pipes, devices, folders) and the size of what it
/// builds: a table within a few percent of its rows, grown without overflow up to the largest array.
/// </summary>
public sealed class RatingFileStreamingTests
{
    private static string Ml1m => Path.Combine(TestData.Root, "ml-1m", "ratings_without_timestamps.dat");

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

    private static void AssertSameRows(RatingTable expected, RatingTable actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Users.SequenceEqual(actual.Users));
        Assert.True(expected.Items.SequenceEqual(actual.Items));
        Assert.True(expected.Values.SequenceEqual(actual.Values));
    }

    [Fact]
    public async Task APipeGivesTheRowsOfTheFile()
    {
        var fromFile = RatingFileReader.Read(Ml1m);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        // The read end as a path, as /dev/stdin and <(zcat …) give it.
        string path = $"/proc/self/fd/{pipe.ClientSafePipeHandle.DangerousGetHandle()}";
        var feed = Task.Run(() =>
        {
            using (pipe)
            {
                using var file = File.OpenRead(Ml1m);
                file.CopyTo(pipe);
            }
        });
        var fromPipe = RatingFileReader.Read(path, RatingFileFormat.MovieLens);
        await feed;
        AssertSameRows(fromFile, fromPipe);
        Assert.Equal(fromPipe.Count, fromPipe.Capacity);
    }

    [Fact]
    public void AStreamThatCannotSeekGivesTheRowsOfTheFile()
    {
        var fromFile = RatingFileReader.Read(Ml1m);
        var table = new RatingTable();
        using (var file = File.OpenRead(Ml1m))
        {
            RatingFileReader.Read(new NonSeekable(file), "pipe", RatingFileFormat.MovieLens, table);
        }
        AssertSameRows(fromFile, table);
    }

    /// <summary>
    /// Sorted by user, whose ids grow from 1 to 7 digits, so the first lines are the shortest: an estimate
    /// from them alone, or doubling, would leave a fifth or more of the arrays unused.
    /// </summary>
    [Fact]
    public void AFileSizesItsTableWithinAFewPercentOfItsRows()
    {
        string path = TestData.TempPath(".tsv");
        try
        {
            var text = new StringBuilder();
            for (int n = 0; n < 300_000; n++)
            {
                long user = 1 + (long)Math.Pow(n, 1.15);
                text.Append(user).Append('\t').Append(n % 977).Append('\t').Append(1 + n % 5).Append('\n');
            }
            File.WriteAllText(path, text.ToString());
            var table = RatingFileReader.Read(path);
            Assert.Equal(300_000, table.Count);
            Assert.InRange(table.Capacity, table.Count, table.Count * 1.07);
            var ml = RatingFileReader.Read(Ml1m);
            Assert.InRange(ml.Capacity, ml.Count, ml.Count * 1.07);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TablesGrowPastTwoToThe30RowsUpToTheLargestArray()
    {
        int past = RatingTable.GrownCapacity(1 << 30, (1L << 30) + 1);
        Assert.InRange(past, (1 << 30) + 1, Array.MaxLength);
        Assert.Equal(Array.MaxLength, RatingTable.GrownCapacity(Array.MaxLength - 5, Array.MaxLength - 4));
        var e = Assert.Throws<InvalidOperationException>(() => RatingTable.GrownCapacity(Array.MaxLength, Array.MaxLength + 1L));
        Assert.Contains($"at most {Array.MaxLength} rows", e.Message);
        Assert.Equal(24, RatingTable.GrownCapacity(16, 17));
    }

    [Fact]
    public void ReservedAndTrimmedTablesKeepTheirRows()
    {
        var table = new RatingTable();
        for (int r = 0; r < 1000; r++)
        {
            table.Add(r, -r, r / 2f);
        }
        table.EnsureCapacity(5000);
        Assert.Equal(5000, table.Capacity);
        table.TrimExcess();
        Assert.Equal(1000, table.Capacity);
        Assert.Equal(999L, table.Users[^1]);
        Assert.Equal(-999L, table.Items[^1]);
        Assert.Equal(499.5f, table.Values[^1]);
    }

    [Fact]
    public void AFolderIsNamedAsOne()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(folder, RatingFileFormat.Tsv));
        Assert.Equal($"{folder}: is a directory, not a data file.", e.Message);
        Assert.Throws<FileNotFoundException>(() => RatingFileReader.Read(Path.Combine(folder, "absent.tsv")));
    }

    [Fact]
    public void AnEndlessLinelessDeviceStopsAtTheLineLimit()
    {
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read("/dev/zero", RatingFileFormat.Tsv));
        Assert.Equal(1, e.Line);
        Assert.Contains("line longer than 1048576 bytes", e.Message);
    }
}
