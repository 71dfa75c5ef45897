using GpuMF.Data;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Tests.Data;

/// <summary>Parquet input: column types, row groups, missing and wrong columns, nulls, and files that are not Parquet.</summary>
public sealed class ParquetRatingReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-parquet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a Parquet file of <paramref name="fields"/>, one row group per entry of <paramref name="groups"/>, each the columns' arrays in order.</summary>
    internal static void Write(string path, DataField[] fields, params Array[][] groups)
    {
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
        try
        {
            foreach (var columns in groups)
            {
                using var group = writer.CreateRowGroup();
                for (int c = 0; c < fields.Length; c++)
                {
                    WriteColumn(group, fields[c], columns[c]).GetAwaiter().GetResult();
                }
            }
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static Task WriteColumn(ParquetRowGroupWriter group, DataField field, Array data) => data switch
    {
        // By the exact type: the runtime lets a ulong[] pass for a long[] and the other way round.
        ulong[] a when a.GetType() == typeof(ulong[]) => group.WriteAsync<ulong>(field, a.AsMemory()),
        long[] a => group.WriteAsync<long>(field, a.AsMemory()),
        long?[] a => group.WriteAsync<long>(field, a.AsMemory()),
        int[] a => group.WriteAsync<int>(field, a.AsMemory()),
        short[] a => group.WriteAsync<short>(field, a.AsMemory()),
        float[] a => group.WriteAsync<float>(field, a.AsMemory()),
        float?[] a => group.WriteAsync<float>(field, a.AsMemory()),
        double[] a => group.WriteAsync<double>(field, a.AsMemory()),
        bool[] a => group.WriteAsync<bool>(field, a.AsMemory()),
        DateTime[] a => group.WriteAsync<DateTime>(field, a.AsMemory()),
        string?[] a => group.WriteAsync(field, a!),
        _ => throw new ArgumentException($"No writer for {data.GetType()}."),
    };

    /// <summary>The values given, as an array: a column of a row group.</summary>
    private static T[] A<T>(params T[] values) => values;

    private string In(string name) => Path.Combine(_dir, name);

    [Fact]
    public void ReadsInt64IdsAndFloatValues()
    {
        string path = In("a.parquet");
        Write(path, [new DataField<long>("user"), new DataField<long>("item"), new DataField<float>("value")],
            [A<long>(1, 2, long.MaxValue), A<long>(10, 20, long.MinValue), A<float>(4, 5, 0.5f)]);
        var t = ParquetRatingReader.Read(path);
        Assert.Equal([1L, 2L, long.MaxValue], t.Users.ToArray());
        Assert.Equal([10L, 20L, long.MinValue], t.Items.ToArray());
        Assert.Equal([4f, 5f, 0.5f], t.Values.ToArray());
        Assert.False(t.HasTimes);
        Assert.Equal(3, t.Count);
    }

    [Fact]
    public void ReadsInt32AndStringIdsDoubleRatingsAndSeveralRowGroups()
    {
        string path = In("b.parquet");
        DataField[] fields = [new DataField<int>("User"), new DataField<string>("ITEM"), new DataField<double>("rating")];
        Write(path, fields,
            [A(7, 8), A("sku-1", "sku-2"), A(1.5, 2.0)],
            [A(7), A("sku-2"), A(3.0)],
            [A(9, 7, 9), A("sku-3", "sku-1", "sku-1"), A(4.0, 5.0, 1.0)]);
        var t = ParquetRatingReader.Read(path);
        Assert.Equal(IdKind.Numeric, t.UserKind);
        Assert.Equal(IdKind.Text, t.ItemKind);
        Assert.Equal([7L, 8L, 7L, 9L, 7L, 9L], t.Users.ToArray());
        Assert.Equal(["sku-1", "sku-2", "sku-3"], t.ItemNames!.Names);
        Assert.Equal([0L, 1L, 1L, 2L, 0L, 0L], t.Items.ToArray());
        Assert.Equal([1.5f, 2f, 3f, 4f, 5f, 1f], t.Values.ToArray());
    }

    [Fact]
    public void IntegerValuesAndNoValueColumn()
    {
        string counts = In("c.parquet");
        Write(counts, [new DataField<long>("user"), new DataField<long>("item"), new DataField<short>("value")],
            [A<long>(1, 2), A<long>(3, 4), A<short>(12, -3)]);
        Assert.Equal([12f, -3f], ParquetRatingReader.Read(counts).Values.ToArray());
        string bare = In("d.parquet");
        Write(bare, [new DataField<long>("item"), new DataField<long>("user"), new DataField<long>("clicks")],
            [A<long>(5, 6), A<long>(1, 2), A<long>(9, 9)]);
        var t = ParquetRatingReader.Read(bare);
        Assert.Equal([1L, 2L], t.Users.ToArray());
        Assert.Equal([1f, 1f], t.Values.ToArray());
        Assert.Equal([9f, 9f], ParquetRatingReader.Read(bare, new ParquetColumns { Value = "clicks" }).Values.ToArray());
    }

    [Fact]
    public void TimesAreReadFromIntegersAndTimestamps()
    {
        string ints = In("e.parquet");
        Write(ints, [new DataField<long>("user"), new DataField<long>("item"), new DataField<long>("timestamp")],
            [A<long>(1, 2), A<long>(3, 4), A<long>(978300760, 5)]);
        var t = ParquetRatingReader.Read(ints, new ParquetColumns { Time = RatingFileFormat.DefaultTimeName });
        Assert.Equal([978300760L, 5L], t.Times.ToArray());
        string stamps = In("f.parquet");
        Write(stamps, [new DataField<long>("user"), new DataField<long>("item"), new DateTimeDataField("when", DateTimeFormat.DateAndTime)],
            [A<long>(1), A<long>(3), A(new DateTime(2001, 1, 1, 0, 0, 10, DateTimeKind.Utc))]);
        Assert.Equal([978307210L], ParquetRatingReader.Read(stamps, new ParquetColumns { Time = "when" }).Times.ToArray());
    }

    [Fact]
    public void IdTypesCanBeForced()
    {
        string path = In("g.parquet");
        Write(path, [new DataField<long>("user"), new DataField<string>("item")],
            [A<long>(1, 22), A("5", "6")]);
        var asText = ParquetRatingReader.Read(path, new ParquetColumns { UserIdType = IdType.Text });
        Assert.Equal(["1", "22"], asText.UserNames!.Names);
        var asNumbers = ParquetRatingReader.Read(path, new ParquetColumns { IdType = IdType.Numeric });
        Assert.Equal([5L, 6L], asNumbers.Items.ToArray());
    }

    [Fact]
    public void AStringThatIsNoIntegerUnderNumericNamesRowGroupAndColumn()
    {
        string path = In("i.parquet");
        Write(path, [new DataField<long>("user"), new DataField<string>("item")],
            [A<long>(1), A("5")], [A<long>(3, 4), A("6", "x7")]);
        var e = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path, new ParquetColumns { IdType = IdType.Numeric }));
        Assert.Equal(1, e.RowGroup);
        Assert.Equal("item", e.Column);
        Assert.StartsWith($"{path}: row group 1, column 'item': row 1 of the group holds 'x7', not an integer", e.Message);
    }

    [Fact]
    public void NullsInIdsOrValuesNameRowGroupAndColumn()
    {
        string ids = In("j.parquet");
        Write(ids, [new DataField<long>("user"), new DataField<long?>("item")],
            [A<long>(1, 2), A<long?>(3, 4)], [A<long>(1, 2), A<long?>(3, null)]);
        var e = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(ids));
        Assert.Equal(1, e.RowGroup);
        Assert.Equal("item", e.Column);
        Assert.Contains("row 1 of the group is null", e.Message);
        string strings = In("k.parquet");
        Write(strings, [new DataField<string>("user"), new DataField<long>("item")], [A<string?>("a", null), A<long>(3, 4)]);
        var s = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(strings));
        Assert.Equal(0, s.RowGroup);
        Assert.Equal("user", s.Column);
        Assert.Contains("row 1 of the group is null", s.Message);
        string values = In("l.parquet");
        Write(values, [new DataField<long>("user"), new DataField<long>("item"), new DataField<float?>("value")],
            [A<long>(1, 2), A<long>(3, 4), A<float?>(null, 4)]);
        var v = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(values));
        Assert.Equal("value", v.Column);
        Assert.Contains("row 0 of the group is null", v.Message);
        string nullableClean = In("m.parquet");
        Write(nullableClean, [new DataField<long>("user"), new DataField<long?>("item"), new DataField<float?>("value")],
            [A<long>(1, 2), A<long?>(3, 4), A<float?>(2, 4)]);
        Assert.Equal([2f, 4f], ParquetRatingReader.Read(nullableClean).Values.ToArray());
    }

    [Fact]
    public void AnEmptyStringIdIsAnError()
    {
        string path = In("n.parquet");
        Write(path, [new DataField<string>("user"), new DataField<long>("item")], [A("a", ""), A<long>(3, 4)]);
        Assert.Contains("row 1 of the group is an empty string", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path)).Message);
    }

    [Fact]
    public void AMissingColumnListsThoseThere()
    {
        string path = In("o.parquet");
        Write(path, [new DataField<long>("customer"), new DataField<long>("item")], [A<long>(1), A<long>(2)]);
        var e = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path));
        Assert.Equal($"{path}: has no user column 'user'; its columns are: 'customer', 'item'.", e.Message);
        Assert.Equal(2, ParquetRatingReader.Read(path, new ParquetColumns { User = "Customer" }).Items[0]);
        Assert.Contains("has no value column 'stars'", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path, new ParquetColumns { User = "customer", Value = "stars" })).Message);
    }

    [Fact]
    public void WrongTypesAreNamed()
    {
        string path = In("p.parquet");
        Write(path, [new DataField<double>("user"), new DataField<long>("item"), new DataField<bool>("value")],
            [A(1.0), A<long>(2), A(true)]);
        Assert.Contains("column 'user' holds Double, not integers or strings", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path)).Message);
        string values = In("q.parquet");
        Write(values, [new DataField<long>("user"), new DataField<long>("item"), new DataField<bool>("value")],
            [A<long>(1), A<long>(2), A(true)]);
        Assert.Contains("column 'value' holds Boolean, not numbers", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(values)).Message);
    }

    [Fact]
    public void AnUnsignedIdBeyond64BitSignedIsAnError()
    {
        string path = In("r.parquet");
        Write(path, [new DataField<ulong>("user"), new DataField<long>("item")], [A(5UL, ulong.MaxValue), A<long>(1, 2)]);
        var e = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path));
        Assert.Equal("user", e.Column);
        Assert.Contains("beyond 64-bit signed integers", e.Message);
    }

    [Fact]
    public void ValuesOutsideTheRangeAreErrors()
    {
        string path = In("s.parquet");
        Write(path, [new DataField<long>("user"), new DataField<long>("item"), new DataField<double>("value")],
            [A<long>(1, 2), A<long>(3, 4), A(3.0, 7.0)]);
        var e = Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(path, new ParquetColumns { MinValue = 1, MaxValue = 5 }));
        Assert.Contains("row 1 of the group holds 7, outside the declared range 1..5", e.Message);
        string huge = In("t.parquet");
        Write(huge, [new DataField<long>("user"), new DataField<long>("item"), new DataField<double>("value")],
            [A<long>(1), A<long>(3), A(1e300)]);
        Assert.Contains("not a finite 32-bit float", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(huge)).Message);
    }

    [Fact]
    public void FilesThatAreNotParquetAreRefused()
    {
        string text = In("ratings.parquet");
        File.WriteAllText(text, "1\t2\t3\n4\t5\t6\n");
        var e = Assert.Throws<DataFormatException>(() => InteractionFile.Read(text));
        Assert.Equal(text, e.File);
        Assert.Contains("is not a Parquet file", e.Message);
        string cut = In("cut.parquet");
        Write(cut, [new DataField<long>("user"), new DataField<long>("item")], [A<long>(1, 2), A<long>(3, 4)]);
        byte[] whole = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);
        Assert.Contains("is not a Parquet file", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(cut)).Message);
        string garbled = In("garbled.parquet");
        File.WriteAllBytes(garbled, [.. "PAR1"u8, .. new byte[64], 1, 0, 0, 0, .. "PAR1"u8]);
        Assert.Contains("is not a readable Parquet file", Assert.Throws<DataFormatException>(() => ParquetRatingReader.Read(garbled)).Message);
    }

    [Fact]
    public void TheEntryPointTellsParquetByExtensionOrMagic()
    {
        string named = In("x.parquet");
        Write(named, [new DataField<long>("user"), new DataField<long>("item")], [A<long>(1), A<long>(2)]);
        string disguised = In("x.tsv");
        File.Copy(named, disguised);
        string tsv = In("y.tsv");
        File.WriteAllText(tsv, "1\t2\t3\n");
        Assert.True(InteractionFile.IsParquet(named));
        Assert.True(InteractionFile.IsParquet(disguised));
        Assert.False(InteractionFile.IsParquet(tsv));
        Assert.Equal([2L], InteractionFile.Read(disguised).Items.ToArray());
        Assert.Equal([3f], InteractionFile.Read(tsv).Values.ToArray());
        var t = InteractionFile.Read(named, RatingFileFormat.Tsv with { IdType = IdType.Text, ValueOptional = true });
        Assert.Equal(["1"], t.UserNames!.Names);
        // A delimited format whose values are required requires them of a Parquet file too.
        var e = Assert.Throws<DataFormatException>(() => InteractionFile.Read(named, RatingFileFormat.Tsv));
        Assert.Contains("has no value column 'value' or 'rating'; its columns are: 'user', 'item'", e.Message);
    }

    [Fact]
    public void ParquetAndTsvOfTheSameRowsGiveTheSameMatrix()
    {
        var rng = new Random(5);
        int n = 3000;
        var users = new string[n];
        var items = new string[n];
        var values = new float[n];
        var lines = new System.Text.StringBuilder();
        for (int r = 0; r < n; r++)
        {
            users[r] = $"u{rng.Next(200)}";
            items[r] = $"m{rng.Next(80)}";
            values[r] = 1 + rng.Next(5);
            lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"{users[r]}\t{items[r]}\t{values[r]}\n");
        }
        string parquet = In("same.parquet");
        DataField[] fields = [new DataField<string>("user"), new DataField<string>("item"), new DataField<float>("value")];
        Write(parquet, fields, [users[..1000], items[..1000], values[..1000]], [users[1000..], items[1000..], values[1000..]]);
        string tsv = In("same.tsv");
        File.WriteAllText(tsv, lines.ToString());
        var a = InteractionMatrix.Build(InteractionFile.Read(tsv), DuplicatePolicy.KeepLast);
        var b = InteractionMatrix.Build(InteractionFile.Read(parquet), DuplicatePolicy.KeepLast);
        Assert.Equal(a.UserPtr, b.UserPtr);
        Assert.Equal(a.UserItems, b.UserItems);
        Assert.Equal(a.UserValues, b.UserValues);
        Assert.Equal(a.Users.Names, b.Users.Names);
        Assert.Equal(a.Items.Names, b.Items.Names);
    }
}
