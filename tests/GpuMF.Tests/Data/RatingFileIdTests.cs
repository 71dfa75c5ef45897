using System.Globalization;
using System.IO.Pipes;
using System.Text;
using GpuMF.Data;

namespace GpuMF.Tests.Data;

/// <summary>Delimited files with ids of either kind, quoted fields and columns found by the header's names.</summary>
public sealed class RatingFileIdTests
{
    private static RatingTable ReadText(string text, RatingFileFormat format, string name = "input.csv")
    {
        var table = new RatingTable(IdKind.Numeric, IdKind.Numeric, times: format.ReadsTimes);
        RatingFileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), name, format, table);
        return table;
    }

    private static DataFormatException Fails(string text, RatingFileFormat format) =>
        Assert.Throws<DataFormatException>(() => ReadText(text, format));

    [Fact]
    public void AutoReadsEachColumnAsItsFirstRowTells()
    {
        var t = ReadText("u1,10,4\nu2,11,5\nu1,12,3\n", RatingFileFormat.Csv);
        Assert.Equal(IdKind.Text, t.UserKind);
        Assert.Equal(IdKind.Numeric, t.ItemKind);
        Assert.Equal(["u1", "u2"], t.UserNames!.Names);
        Assert.Equal([0L, 1L, 0L], t.Users.ToArray());
        Assert.Equal([10L, 11L, 12L], t.Items.ToArray());
        Assert.Equal("u2", t.UserText(1));
    }

    [Fact]
    public void EachDistinctStringIsHeldOnce()
    {
        var t = ReadText("a,x,1\nb,x,1\na,y,1\na,x,1\n", RatingFileFormat.Csv with { HasHeader = false, DetectHeader = false });
        Assert.Equal(2, t.UserNames!.Count);
        Assert.Equal(2, t.ItemNames!.Count);
        Assert.Same(t.UserNames.Names[0], t.UserNames.Text((int)t.Users[3]));
    }

    [Fact]
    public void TextReadsDigitsAsStrings()
    {
        var t = ReadText("007,1,4\n7,1,5\n", RatingFileFormat.Csv with { IdType = IdType.Text });
        Assert.Equal(["007", "7"], t.UserNames!.Names);
        Assert.Equal(["1"], t.ItemNames!.Names);
    }

    [Fact]
    public void NumericRefusesStrings()
    {
        var e = Fails("u1,1,4\n", RatingFileFormat.Csv with { IdType = IdType.Numeric, DetectHeader = false });
        Assert.Equal(1, e.Line);
        Assert.Contains("field 1 (user id) 'u1' is not an integer.", e.Message);
    }

    [Fact]
    public void PerColumnTypesOverrideTheFormats()
    {
        var t = ReadText("5,9,1\n", RatingFileFormat.Csv with { IdType = IdType.Numeric, ItemIdType = IdType.Text });
        Assert.Equal(IdKind.Numeric, t.UserKind);
        Assert.Equal(["9"], t.ItemNames!.Names);
    }

    [Fact]
    public void AStringAfterIntegersNamesBothLines()
    {
        var e = Fails("1,10,4\n2,11,4\n\nu3,12,5\n", RatingFileFormat.Csv);
        Assert.Equal(4, e.Line);
        Assert.StartsWith("input.csv:4: field 1 (user id) 'u3' is not an integer, but this column's ids are integers since line 1 ('1')", e.Message);
        Assert.Contains("--id-type string", e.Message);
    }

    [Fact]
    public void AnIntegerAfterStringsNamesBothLines()
    {
        var e = Fails("1,m1,4\n2,m2,4\n3,77,5\n", RatingFileFormat.Csv);
        Assert.Equal(3, e.Line);
        Assert.Contains("field 2 (item id) '77' is an integer, but this column's ids are strings since line 1 ('m1')", e.Message);
        Assert.Contains("--id-type string", e.Message);
        Assert.Equal(3, ReadText("1,m1,4\n2,m2,4\n3,77,5\n", RatingFileFormat.Csv with { IdType = IdType.Text }).Count);
    }

    [Theory]
    [InlineData("u1,,4\n", 1, "field 2 (item id) is empty")]
    [InlineData("u1,m1,4\n\"\",m2,4\n", 2, "field 1 (user id) is empty")]
    [InlineData("1,2,3\n,5,4\n", 2, "field 1 (user id) is empty")]
    public void EmptyIdsAreErrors(string text, long line, string fragment)
    {
        var e = Fails(text, RatingFileFormat.Csv);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void QuotedFieldsHoldDelimitersAndDoubledQuotes()
    {
        var t = ReadText("user,item,rating\n\"Smith, J.\",\"The \"\"Best\"\" Film\",4\n\"Smith, J.\",plain,\"3.5\"\n\"42\",\"\"\"\",1\n", RatingFileFormat.Csv with { UserIdType = IdType.Text });
        Assert.Equal(["Smith, J.", "42"], t.UserNames!.Names);
        Assert.Equal(["The \"Best\" Film", "plain", "\""], t.ItemNames!.Names);
        Assert.Equal([4f, 3.5f, 1f], t.Values.ToArray());
    }

    [Fact]
    public void QuotedIntegersAreIntegers()
    {
        var t = ReadText("\"1\",\"2\",\"3\"\n", RatingFileFormat.Csv);
        Assert.Equal(IdKind.Numeric, t.UserKind);
        Assert.Equal([2L], t.Items.ToArray());
    }

    [Fact]
    public void QuotesWorkInTabSeparatedFilesToo()
    {
        var t = ReadText("\"a\tb\"\tc\t1\n", RatingFileFormat.Tsv);
        Assert.Equal(["a\tb"], t.UserNames!.Names);
    }

    [Theory]
    [InlineData("u1,m1,4\n\"u2,m2,4\n", 2, "a quoted field is not closed")]
    [InlineData("u1,m1,4\nu2,\"m2\"x,4\n", 2, "text follows a closing quote")]
    public void BadQuotesNameTheLine(string text, long line, string fragment)
    {
        var e = Fails(text, RatingFileFormat.Csv);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void InvalidUtf8IsAnError()
    {
        byte[] bytes = [.. "u1,m1,4\nu"u8, 0xFF, .. ",m2,4\n"u8];
        var table = new RatingTable(IdKind.Numeric, IdKind.Numeric);
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(new MemoryStream(bytes), "bad.csv", RatingFileFormat.Csv, table));
        Assert.Equal(2, e.Line);
        Assert.Contains("is not valid UTF-8", e.Message);
    }

    [Fact]
    public void AHeaderIsToldFromStringIdDataByItsValue()
    {
        var t = ReadText("u1,m1,4\nu2,m2,5\n", RatingFileFormat.Csv);
        Assert.Equal(2, t.Count);
        var withHeader = ReadText("userId,movieId,rating\nu1,m1,4\n", RatingFileFormat.Csv);
        Assert.Equal(1, withHeader.Count);
    }

    [Fact]
    public void ColumnsAreFoundByNameWhateverTheirCase()
    {
        var format = RatingFileFormat.Csv with { UserName = "CustomerId", ItemName = "sku", ValueName = "Qty", TimeName = "TS" };
        var t = ReadText("ts,qty,SKU,ignored,customerid\n100,2,A-1,x,c9\n200,3,B-2,y,c8\n", format);
        Assert.Equal(["c9", "c8"], t.UserNames!.Names);
        Assert.Equal(["A-1", "B-2"], t.ItemNames!.Names);
        Assert.Equal([2f, 3f], t.Values.ToArray());
        Assert.Equal([100L, 200L], t.Times.ToArray());
    }

    [Fact]
    public void DefaultNamesAreUserItemAndValueOrRating()
    {
        var byName = RatingFileFormat.Tsv with { ColumnsByName = true };
        var rated = ReadText("rating\titem\tuser\n4\t10\t1\n", byName);
        Assert.Equal([1L], rated.Users.ToArray());
        Assert.Equal([4f], rated.Values.ToArray());
        var bare = ReadText("item\tuser\textra\n10\t1\tz\n11\t2\tz\n", byName);
        Assert.Equal([1f, 1f], bare.Values.ToArray());
        Assert.False(bare.HasTimes);
    }

    [Fact]
    public void AMissingNamedColumnListsTheHeader()
    {
        var e = Fails("user,product,rating\n1,2,3\n", RatingFileFormat.Csv with { ItemName = "item_id" });
        Assert.Equal(1, e.Line);
        Assert.Contains("the header has no item column 'item_id'; its columns are: 'user', 'product', 'rating'", e.Message);
        var value = Fails("user,item\n1,2\n", RatingFileFormat.Csv with { ValueName = "stars" });
        Assert.Contains("no value column 'stars'", value.Message);
        var defaults = Fails("u,i\n1,2\n", RatingFileFormat.Csv with { ColumnsByName = true });
        Assert.Contains("no user column 'user'", defaults.Message);
    }

    [Fact]
    public void TwoNamesForOneColumnAreAnError()
    {
        var e = Fails("user,item\n1,2\n", RatingFileFormat.Csv with { UserName = "user", ItemName = "USER" });
        Assert.Contains("same header column 'user'", e.Message);
    }

    [Fact]
    public void AStringIdFileBuildsTheSameMatrixAsItsIntegerTwin()
    {
        var rng = new Random(17);
        var numeric = new StringBuilder();
        var text = new StringBuilder();
        for (int r = 0; r < 2000; r++)
        {
            int u = rng.Next(300), i = rng.Next(150), v = 1 + rng.Next(5);
            numeric.Append(CultureInfo.InvariantCulture, $"{u}\t{i}\t{v}\n");
            text.Append(CultureInfo.InvariantCulture, $"u{u}\tm{i}\t{v}\n");
        }
        var a = InteractionMatrix.Build(ReadText(numeric.ToString(), RatingFileFormat.Tsv), DuplicatePolicy.KeepLast);
        var tb = ReadText(text.ToString(), RatingFileFormat.Tsv);
        Assert.Equal(IdKind.Text, tb.UserKind);
        var b = InteractionMatrix.Build(tb, DuplicatePolicy.KeepLast);
        Assert.Equal(a.UserPtr, b.UserPtr);
        Assert.Equal(a.UserItems, b.UserItems);
        Assert.Equal(a.UserValues, b.UserValues);
        Assert.Equal(a.ItemPtr, b.ItemPtr);
        Assert.Equal(a.ItemUsers, b.ItemUsers);
        for (int u = 0; u < a.UserCount; u++)
        {
            Assert.Equal("u" + a.Users.Text(u), b.Users.Text(u));
        }
        for (int i = 0; i < a.ItemCount; i++)
        {
            Assert.Equal("m" + a.Items.Text(i), b.Items.Text(i));
        }
    }

    [Fact]
    public async Task StringIdsSurviveAPipeReadInChunks()
    {
        var text = new StringBuilder();
        for (int r = 0; r < 5000; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"user-{r % 97}\titem-{r % 31}\t1\n");
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        // Chunks made after the first share its names.
        string path = $"/proc/self/fd/{pipe.ClientSafePipeHandle.DangerousGetHandle()}";
        var feed = Task.Run(() =>
        {
            using (pipe)
            {
                pipe.Write(bytes);
            }
        });
        var table = RatingFileReader.Read(path, RatingFileFormat.Tsv);
        await feed;
        Assert.Equal(5000, table.Count);
        Assert.Equal(97, table.UserNames!.Count);
        Assert.Equal(31, table.ItemNames!.Count);
        for (int r = 0; r < 5000; r += 7)
        {
            Assert.Equal($"user-{r % 97}", table.UserText(r));
            Assert.Equal($"item-{r % 31}", table.ItemText(r));
        }
    }
}
