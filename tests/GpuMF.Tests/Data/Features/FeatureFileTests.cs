using GpuMF.Data;
using Parquet.Schema;

namespace GpuMF.Tests.Data.Features;

/// <summary>Generic feature files: delimited text with or without a header, Parquet, id kinds and weights.</summary>
public sealed class FeatureFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The values given, as an array: a column of a row group.</summary>
    private static T[] A<T>(params T[] values) => values;

    private static string[] NamesOf(FeatureTable t) => [.. t.Names.Names];

    private static string[] RowNames(FeatureTable t) => [.. t.Features.ToArray().Select(f => t.Names.Names[f])];

    [Fact]
    public void TsvWithoutHeaderReadsIntegerIdsAndWeightsThatDefaultToOne()
    {
        var t = FeatureFile.Read(Write("f.tsv", "1\tgenre=A\t0.5\n\n1\tgenre=B\n2\tgenre=A\t2\n"));
        Assert.Equal(IdKind.Numeric, t.Entities.Kind);
        Assert.Equal([1L, 2L], t.Entities.Ids);
        Assert.Equal(["genre=A", "genre=B"], NamesOf(t));
        Assert.Equal([0, 0, 1], t.EntityIndices.ToArray());
        Assert.Equal(["genre=A", "genre=B", "genre=A"], RowNames(t));
        Assert.Equal([0.5f, 1f, 2f], t.Weights.ToArray());
        Assert.Equal("line 3", t.Where(1));
    }

    [Fact]
    public void CsvWithHeaderFindsColumnsByNameInAnyOrder()
    {
        var t = FeatureFile.Read(Write("f.csv", "Weight,FEATURE,user\n0.25,tag=x,u1\n1,tag=y,u2\n3,tag=x,u2\n"));
        Assert.Equal(IdKind.Text, t.Entities.Kind);
        Assert.Equal(["u1", "u2"], t.Entities.Names);
        Assert.Equal(["tag=x", "tag=y", "tag=x"], RowNames(t));
        Assert.Equal([0.25f, 1f, 3f], t.Weights.ToArray());
        Assert.Equal("line 4", t.Where(2));
    }

    [Fact]
    public void AFirstLineWithoutTheFeatureColumnNameIsData()
    {
        var t = FeatureFile.Read(Write("f.csv", "u1,genre=A\nu2,genre=B\n"));
        Assert.Equal(2, t.Count);
        Assert.Equal(["u1", "u2"], t.Entities.Names);
    }

    [Fact]
    public void HeaderWithoutWeightColumnGivesWeightOne()
    {
        var t = FeatureFile.Read(Write("f.csv", "item,feature\n5,a\n6,b\n"));
        Assert.Equal([5L, 6L], t.Entities.Ids);
        Assert.Equal([1f, 1f], t.Weights.ToArray());
    }

    [Fact]
    public void ColumnNamesAndDelimiterAreConfigurable()
    {
        var format = new FeatureFileFormat { Delimiter = ";", EntityName = "movie", FeatureName = "tag", WeightName = "score" };
        var t = FeatureFile.Read(Write("f.data", "score;movie;tag;other\n2;7;x;9\n"), format);
        Assert.Equal([7L], t.Entities.Ids);
        Assert.Equal(["x"], NamesOf(t));
        Assert.Equal([2f], t.Weights.ToArray());
    }

    [Fact]
    public void PositionalColumnsAreConfigurable()
    {
        var format = FeatureFileFormat.Tsv with { HasHeader = false, EntityColumn = 2, FeatureColumn = 0, WeightColumn = -1 };
        var t = FeatureFile.Read(Write("f.txt", "a\t9\t5\nb\t9\t6\n"), format);
        Assert.Equal([5L, 6L], t.Entities.Ids);
        Assert.Equal(["a", "b"], NamesOf(t));
        Assert.Equal([1f, 1f], t.Weights.ToArray());
    }

    [Fact]
    public void TextIdTypeKeepsDigitsAsWritten()
    {
        var t = FeatureFile.Read(Write("f.tsv", "007\tf\n7\tf\n"), FeatureFileFormat.Tsv with { IdType = IdType.Text });
        Assert.Equal(IdKind.Text, t.Entities.Kind);
        Assert.Equal(["007", "7"], t.Entities.Names);
    }

    [Fact]
    public void NumericFeatureNamesAreStrings()
    {
        var t = FeatureFile.Read(Write("f.tsv", "1\t42\n"));
        Assert.Equal(["42"], NamesOf(t));
    }

    [Fact]
    public void ParquetWithStringIdsAndWeightsAcrossRowGroups()
    {
        string path = Path.Combine(_dir, "f.parquet");
        ParquetRatingReaderTests.Write(path, [new DataField<string>("user"), new DataField<string>("feature"), new DataField<double>("weight")],
            [A<string?>("u1", "u2"), A<string?>("a", "b"), A(0.5, 1.5)],
            [A<string?>("u1"), A<string?>("c"), A(2.0)]);
        var t = FeatureFile.Read(path);
        Assert.Equal(["u1", "u2"], t.Entities.Names);
        Assert.Equal(["a", "b", "c"], RowNames(t));
        Assert.Equal([0.5f, 1.5f, 2f], t.Weights.ToArray());
        Assert.Equal("row group 1, row 0", t.Where(2));
    }

    [Fact]
    public void ParquetByMagicWithIntegerIdsAndNoWeight()
    {
        string path = Path.Combine(_dir, "features.bin");
        ParquetRatingReaderTests.Write(path, [new DataField<long>("id"), new DataField<string>("feature")],
            [A<long>(3, 4, 3), A<string?>("a", "a", "b")]);
        var t = FeatureFile.Read(path);
        Assert.Equal([3L, 4L], t.Entities.Ids);
        Assert.Equal([1f, 1f, 1f], t.Weights.ToArray());
        Assert.Equal([0, 1, 0], t.EntityIndices.ToArray());
    }

    [Theory]
    [InlineData("NaN", "not finite")]
    [InlineData("Infinity", "not finite")]
    [InlineData("-0.5", "outside")]
    [InlineData("heavy", "not a number")]
    public void BadWeightsNameFileLineAndColumn(string weight, string problem)
    {
        string path = Write("bad.tsv", $"1\ta\t1\n2\tb\t{weight}\n");
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Equal(2, e.Line);
        Assert.Contains(path, e.Message);
        Assert.Contains("field 3 (weight)", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ParquetNegativeWeightNamesRowGroupAndColumn()
    {
        string path = Path.Combine(_dir, "bad.parquet");
        ParquetRatingReaderTests.Write(path, [new DataField<long>("user"), new DataField<string>("feature"), new DataField<float>("weight")],
            [A<long>(1), A<string?>("a"), A(1f)],
            [A<long>(2), A<string?>("b"), A(-1f)]);
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Equal(1, e.RowGroup);
        Assert.Equal("weight", e.Column);
    }

    [Fact]
    public void ParquetWithoutFeatureColumnListsTheColumns()
    {
        string path = Path.Combine(_dir, "nofeature.parquet");
        ParquetRatingReaderTests.Write(path, [new DataField<long>("user"), new DataField<string>("tag")], [A<long>(1), A<string?>("a")]);
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Contains("no feature column 'feature'", e.Message);
        Assert.Contains("'tag'", e.Message);
    }

    [Fact]
    public void ParquetNullFeatureNamesRowGroupAndColumn()
    {
        string path = Path.Combine(_dir, "null.parquet");
        ParquetRatingReaderTests.Write(path, [new DataField<long>("user"), new DataField<string>("feature")],
            [A<long>(1, 2), A<string?>("a", null)]);
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Equal(0, e.RowGroup);
        Assert.Equal("feature", e.Column);
    }

    [Fact]
    public void ARowWithoutFeatureNameIsAnError()
    {
        string path = Write("nofeature.csv", "user,feature\nu1,a\nu2,\n");
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Equal(3, e.Line);
        Assert.Contains("field 2 (feature name) is empty", e.Message);
    }

    [Fact]
    public void ARowOfOneFieldIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(Write("short.tsv", "1\ta\n2\n")));
        Assert.Equal(2, e.Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("user,feature,weight\n")]
    public void AnEmptyFileIsAnError(string text)
    {
        string path = Write("empty.csv", text);
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Contains("holds no feature rows", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MixedIdKindsPointToIdType()
    {
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(Write("mixed.tsv", "1\ta\nu2\tb\n")));
        Assert.Equal(2, e.Line);
        Assert.Contains("entity id", e.Message);
        Assert.Contains("--id-type string", e.Message);
    }

    [Fact]
    public void AMissingHeaderColumnListsTheHeader()
    {
        var format = FeatureFileFormat.Csv with { HasHeader = true };
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(Write("f.csv", "who,feature\n1,a\n"), format));
        Assert.Equal(1, e.Line);
        Assert.Contains("'who'", e.Message);
    }

    [Fact]
    public void AnUnknownExtensionAsksForTheDelimiter()
    {
        string path = Write("f.xyz", "1\ta\n");
        Assert.Throws<ArgumentException>(() => FeatureFile.Read(path));
        Assert.Single(FeatureFile.Read(path, FeatureFileFormat.Tsv).Names.Names);
    }

    [Fact]
    public void MissingFileAndDirectoryAreRefused()
    {
        Assert.Throws<FileNotFoundException>(() => FeatureFile.Read(Path.Combine(_dir, "none.tsv")));
        Assert.Throws<DataFormatException>(() => FeatureFile.Read(_dir));
    }

    [Fact]
    public void FormatsAreToldByNameAndParsed()
    {
        Assert.Equal(FeatureFileKind.MovieLens1MMovies, FeatureFileFormat.FromFileName("/x/ml-1m/movies.dat").Kind);
        Assert.Equal(FeatureFileKind.MovieLens1MUsers, FeatureFileFormat.FromFileName("USERS.DAT").Kind);
        Assert.Equal(FeatureFileKind.MovieLens100KItems, FeatureFileFormat.FromFileName("u.item").Kind);
        Assert.Equal(FeatureFileKind.MovieLens100KUsers, FeatureFileFormat.FromFileName("u.user").Kind);
        Assert.Equal(FeatureFileKind.Table, FeatureFileFormat.FromFileName("genres.tsv").Kind);
        Assert.Equal(FeatureFileKind.MovieLens100KUsers, FeatureFileFormat.Parse("ML-100K-users").Kind);
        Assert.Equal(",", FeatureFileFormat.Parse("csv").Delimiter);
        Assert.Throws<ArgumentException>(() => FeatureFileFormat.Parse("xml"));
        Assert.Throws<ArgumentException>(() => (FeatureFileFormat.Tsv with { EntityColumn = 1 }).Validate());
        Assert.Throws<ArgumentException>(() => (FeatureFileFormat.Default with { FeatureName = " " }).Validate());
    }
}
