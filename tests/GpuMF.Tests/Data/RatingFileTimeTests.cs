using System.IO.Pipes;
using System.Text;
using GpuMF.Data;

namespace GpuMF.Tests.Data;

public sealed class RatingFileTimeTests
{
    private static string Write(string text, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"gpumf-time-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void MovieLensTimesAreKeptPerRow()
    {
        string path = Write("1::1193::5::978300760\n1::661::3::978302109\n2::1::4::-5\n", ".dat");
        try
        {
            var t = RatingFileReader.Read(path, RatingFileFormat.MovieLens with { TimeColumn = 3 });
            Assert.True(t.HasTimes);
            Assert.Equal([978300760L, 978302109L, -5L], t.Times.ToArray());
            Assert.Equal([5f, 3f, 4f], t.Values.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithoutATimeColumnTheTableKeepsNoTimes()
    {
        string path = Write("1\t2\t3\t100\n", ".tsv");
        try
        {
            var t = RatingFileReader.Read(path);
            Assert.False(t.HasTimes);
            Assert.True(t.Times.IsEmpty);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task TimesSurviveAPipeReadInChunks()
    {
        var text = new StringBuilder();
        for (int r = 0; r < 3000; r++)
        {
            text.Append(r % 7).Append('\t').Append(r).Append('\t').Append(1 + (r % 5)).Append('\t').Append(1_000_000_000L + (r * 13)).Append('\n');
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        // The read end as a path, as /dev/stdin gives it: a stream of unknown length, read in chunks.
        string path = $"/proc/self/fd/{pipe.ClientSafePipeHandle.DangerousGetHandle()}";
        var feed = Task.Run(() =>
        {
            using (pipe)
            {
                pipe.Write(bytes);
            }
        });
        var table = RatingFileReader.Read(path, RatingFileFormat.Tsv with { TimeColumn = 3 });
        await feed;
        Assert.Equal(3000, table.Count);
        for (int r = 0; r < 3000; r++)
        {
            Assert.Equal(1_000_000_000L + (r * 13), table.Times[r]);
        }
    }

    [Theory]
    [InlineData("1\t2\t3\t12.5\n", 1, "field 4 (time) '12.5' is not an integer")]
    [InlineData("1\t2\t3\t7\n1\t2\t3\tyesterday\n", 2, "field 4 (time) 'yesterday' is not an integer")]
    [InlineData("1\t2\t3\t7\n1\t2\t3\n", 2, "expected at least 4 fields")]
    public void BadTimesNameFileLineAndField(string text, long line, string fragment)
    {
        string path = Write(text, ".tsv");
        try
        {
            var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(path, RatingFileFormat.Tsv with { TimeColumn = 3 }));
            Assert.Equal(path, e.File);
            Assert.Equal(line, e.Line);
            Assert.Contains(fragment, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TimeColumnMustDifferFromTheOthers()
    {
        Assert.Throws<ArgumentException>(() => (RatingFileFormat.Tsv with { TimeColumn = 2 }).Validate());
        Assert.Throws<ArgumentException>(() => (RatingFileFormat.Tsv with { TimeColumn = -2 }).Validate());
    }

    [Fact]
    public void ATableWithoutTimesIsRefusedForAFormatWithThem()
    {
        var table = new RatingTable();
        using var stream = new MemoryStream("1\t2\t3\t4\n"u8.ToArray());
        Assert.Throws<ArgumentException>(() => RatingFileReader.Read(stream, "x.tsv", RatingFileFormat.Tsv with { TimeColumn = 3 }, table));
    }
}
