using System.Text;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data;

/// <summary>The layouts the reader tells apart by itself: two-column positives, whitespace-separated fields, a header or none.</summary>
public sealed class RatingFileLayoutTests
{
    private static RatingTable ReadText(string text, RatingFileFormat format)
    {
        var table = new RatingTable();
        RatingFileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "input", format, table);
        return table;
    }

    [Fact]
    public void TwoColumnLinesArePositivesWhereTheValueIsOptional()
    {
        var t = ReadText("1\t10\n2\t20\t4\n1\t10\n", RatingFileFormat.Tsv with { ValueOptional = true });
        Assert.Equal([1L, 2L, 1L], t.Users.ToArray());
        Assert.Equal([10L, 20L, 10L], t.Items.ToArray());
        Assert.Equal([1f, 4f, 1f], t.Values.ToArray());
    }

    [Fact]
    public void TwoColumnLinesStayAnErrorWhereTheValueIsNeeded()
    {
        var e = Assert.Throws<DataFormatException>(() => ReadText("1\t10\n", RatingFileFormat.Tsv));
        Assert.Contains("expected at least 3 fields separated by '\\t', found 2", e.Message);
        var one = Assert.Throws<DataFormatException>(() => ReadText("1\n", RatingFileFormat.Tsv with { ValueOptional = true }));
        Assert.Contains("found 1", one.Message);
    }

    [Fact]
    public void WhitespaceSeparatesFieldsByAnyRunOfSpacesAndTabs()
    {
        var t = ReadText("  1  10   4.5\n2\t \t20 3   \n\n3 30 2 881250949\n", RatingFileFormat.Whitespace);
        Assert.Equal([1L, 2L, 3L], t.Users.ToArray());
        Assert.Equal([10L, 20L, 30L], t.Items.ToArray());
        Assert.Equal([4.5f, 3f, 2f], t.Values.ToArray());
        Assert.Contains("separated by spaces or tabs, found 2", Assert.Throws<DataFormatException>(() => ReadText("1 2\n", RatingFileFormat.Whitespace)).Message);
    }

    [Fact]
    public void WhitespaceFormatIsNamedAndToldByTheTxtExtension()
    {
        Assert.Same(RatingFileFormat.Whitespace, RatingFileFormat.Parse("whitespace"));
        Assert.Same(RatingFileFormat.Whitespace, RatingFileFormat.FromFileName("ratings.txt"));
        Assert.True(RatingFileFormat.Whitespace.SplitsOnWhitespace);
        Assert.False(RatingFileFormat.Tsv.SplitsOnWhitespace);
    }

    [Fact]
    public void ATsvSeparatedBySpacesSaysSo()
    {
        var e = Assert.Throws<DataFormatException>(() => ReadText("1 2 3\n", RatingFileFormat.Tsv));
        Assert.Contains("'1 2 3' is not an integer (it holds spaces", e.Message);
        Assert.Contains("--format whitespace", e.Message);
    }

    [Theory]
    [InlineData("userId,movieId,rating\n1,10,4\n2,20,5\n", 2)]
    [InlineData("1,10,4\n2,20,5\n", 2)]
    [InlineData("\n\nuser,item,rating\n1,10,4\n", 1)]
    public void ACsvHeaderIsToldFromData(string text, int rows)
    {
        var t = ReadText(text, RatingFileFormat.Csv);
        Assert.Equal(rows, t.Count);
        Assert.Equal(rows == 2 ? 20L : 10L, t.Items[^1]);
    }

    [Fact]
    public void AFirstLineWithOneNumericIdIsDataAndItsErrorIsReported()
    {
        var e = Assert.Throws<DataFormatException>(() => ReadText("1\tx\t4\n2\t20\t5\n", RatingFileFormat.Tsv with { IdType = IdType.Numeric }));
        Assert.Equal(1, e.Line);
        Assert.Contains("field 2 (item id) 'x' is not an integer", e.Message);
    }

    [Fact]
    public void ATsvHeaderIsSkipped()
    {
        var t = ReadText("user\titem\n7\t70\n", RatingFileFormat.Tsv with { ValueOptional = true });
        Assert.Equal([7L], t.Users.ToArray());
    }

    [Fact]
    public void ReadingStopsWhenCancelled()
    {
        string path = TestData.TempPath(".tsv");
        File.WriteAllText(path, "1\t2\t3\n");
        try
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.Throws<OperationCanceledException>(() => RatingFileReader.Read(path, RatingFileFormat.Tsv, cancelled.Token));
            Assert.Equal(1, RatingFileReader.Read(path, RatingFileFormat.Tsv, CancellationToken.None).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
