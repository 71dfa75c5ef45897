using System.Text;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data;

public sealed class RatingFileReaderTests
{
    private static RatingTable ReadText(string text, RatingFileFormat format, string name = "input.txt")
    {
        var table = new RatingTable();
        RatingFileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), name, format, table);
        return table;
    }

    [Fact]
    public void ReadsMovieLensWithAndWithoutTimestamps()
    {
        var t = ReadText("1::1193::5::978300760\n1::661::3\n2::1::4::0\n", RatingFileFormat.MovieLens);
        Assert.Equal(3, t.Count);
        Assert.Equal([1L, 1L, 2L], t.Users.ToArray());
        Assert.Equal([1193L, 661L, 1L], t.Items.ToArray());
        Assert.Equal([5f, 3f, 4f], t.Values.ToArray());
    }

    [Fact]
    public void ReadsCsvWithHeaderCrlfAndBom()
    {
        var t = ReadText("\uFEFFuserId,movieId,rating,timestamp\r\n7,42,3.5,1\r\n8,43,0.5,2", RatingFileFormat.Csv);
        Assert.Equal(2, t.Count);
        Assert.Equal(3.5f, t.Values[0]);
        Assert.Equal(43L, t.Items[1]);
    }

    [Fact]
    public void ReadsChosenColumnsAndImplicitRows()
    {
        var format = new RatingFileFormat(";", HasHeader: false, UserColumn: 2, ItemColumn: 0, ValueColumn: -1);
        var t = ReadText("10;x;5\n11;y;6\n", format);
        Assert.Equal([5L, 6L], t.Users.ToArray());
        Assert.Equal([10L, 11L], t.Items.ToArray());
        Assert.Equal([1f, 1f], t.Values.ToArray());
    }

    [Theory]
    [InlineData("1\t2\t3\n4\tfive\t3\n", 2, "field 2 (item id) 'five'")]
    [InlineData("1\t2\t3\n1\t2\n", 2, "expected at least 3 fields")]
    [InlineData("1\t2\tNaN\n", 1, "not finite")]
    [InlineData("1\t2\t3\n\n9\t9\tbad\n", 3, "field 3 (value) 'bad'")]
    public void MalformedLineNamesFileLineAndField(string text, int line, string fragment)
    {
        var e = Assert.Throws<DataFormatException>(() => ReadText(text, RatingFileFormat.Tsv, "ratings.tsv"));
        Assert.Equal("ratings.tsv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith($"ratings.tsv:{line}:", e.Message);
    }

    [Fact]
    public void EmptyFileIsAnError()
    {
        string path = TestData.TempPath(".tsv");
        File.WriteAllText(path, "\n\n");
        try
        {
            var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(path));
            Assert.Contains("no interactions", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LinesLongerThanTheBufferStraddleChunks()
    {
        var sb = new StringBuilder();
        for (int n = 0; n < 200_000; n++)
        {
            sb.Append(n % 977).Append("::").Append(n % 1013).Append("::").Append(1 + n % 5).Append('\n');
        }
        var t = ReadText(sb.ToString(), RatingFileFormat.MovieLens);
        Assert.Equal(200_000, t.Count);
        Assert.Equal(199_999 % 977, t.Users[^1]);
        Assert.Equal(1 + 199_999 % 5, t.Values[^1]);
    }

    [Fact]
    public void FormatFromExtension()
    {
        Assert.Same(RatingFileFormat.MovieLens, RatingFileFormat.FromFileName("ratings.dat"));
        Assert.Same(RatingFileFormat.Csv, RatingFileFormat.FromFileName("x/ratings.CSV"));
        Assert.Same(RatingFileFormat.Tsv, RatingFileFormat.FromFileName("u.data"));
        Assert.Throws<ArgumentException>(() => RatingFileFormat.FromFileName("ratings.parquet2"));
    }

    [Fact]
    public void ReadsMovieLens1MFully()
    {
        var t = RatingFileReader.Read(Path.Combine(TestData.Root, "ml-1m", "ratings_without_timestamps.dat"));
        Assert.Equal(1_000_209, t.Count);
        var m = InteractionMatrix.Build(t);
        Assert.Equal(6040, m.UserCount);
        Assert.Equal(3706, m.ItemCount);
        Assert.InRange(m.MeanValue(), 3.5815, 3.5816);
    }

    [Fact]
    public void ReadsMovieTitlesInLatin1()
    {
        var movies = MovieCatalog.Read(Path.Combine(TestData.Root, "ml-1m", "movies.dat"));
        Assert.Equal(3883, movies.Count);
        Assert.Equal("Toy Story (1995)", movies.Title(1));
        Assert.Contains(Enumerable.Range(1, 4000), id => movies.Title(id).Contains('é'));
    }
}
