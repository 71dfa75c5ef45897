using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data.Features;

/// <summary>Feature tables laid over an entity index space: identity, normalising, cold entities, id kinds and duplicates.</summary>
public sealed class EntityFeaturesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-entityfeatures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FeatureTable Read(string text, string name = "f.tsv", FeatureFileFormat? format = null)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return FeatureFile.Read(path, format);
    }

    /// <summary>Row <paramref name="e"/> as (column, weight) pairs.</summary>
    private static (int, float)[] Row(FeatureMatrix m, int e) => [.. m.ColumnsOf(e).ToArray().Zip(m.WeightsOf(e).ToArray())];

    /// <summary>The values given, as an array: a column of a row group.</summary>
    private static T[] A<T>(params T[] values) => values;

    private static int Column(EntityFeatures f, string name) => f.Known.IdentityCount + f.Names.IndexOf(name);

    [Fact]
    public void IdentityFirstRowsNormalisedColdEntitiesApart()
    {
        var table = Read("20\tb\t3\n99\ta\t2\n10\ta\n20\ta\t1\n99\tc\n");
        var space = new IdMap([10L, 20L, 30L]);
        var f = EntityFeatures.Build(table, space, FeatureOptions.Defaults with { Normalize = true });
        Assert.Equal(3, f.Known.RowCount);
        Assert.Equal(3, f.Known.IdentityCount);
        Assert.True(f.Known.Normalized);
        Assert.Equal(["b", "a", "c"], f.Names.Names);
        Assert.Equal([(0, 0.5f), (Column(f, "a"), 0.5f)], Row(f.Known, 0));
        Assert.Equal([(1, 0.2f), (Column(f, "b"), 0.6f), (Column(f, "a"), 0.2f)], Row(f.Known, 1));
        Assert.Equal([(2, 1f)], Row(f.Known, 2));
        Assert.Equal(1, f.WithoutFeatures);
        Assert.Equal([99L], f.ColdIds.Ids);
        Assert.Equal(0, f.Cold.IdentityCount);
        Assert.Same(f.Known.Names, f.Cold.Names);
        Assert.Equal([(f.Names.IndexOf("a"), 2f / 3), (f.Names.IndexOf("c"), 1f / 3)], Row(f.Cold, 0));
        Assert.Equal(3, space.Count);
    }

    [Fact]
    public void SharedWeightScalesTheNamedFeaturesOfRowsWithIdentityOnly()
    {
        var table = Read("10\ta\t2\n10\tb\n99\ta\t2\n");
        var space = new IdMap([10L, 20L]);
        var f = EntityFeatures.Build(table, space, FeatureOptions.Defaults with { SharedWeight = 0.25f });
        Assert.Equal(0.25f, f.Known.NamedScale);
        Assert.Equal([(0, 1f), (Column(f, "a"), 0.5f), (Column(f, "b"), 0.25f)], Row(f.Known, 0));
        Assert.Equal([(1, 1f)], Row(f.Known, 1));
        // The cold rows keep the weights given: the exported embeddings carry the factor.
        Assert.Equal(1f, f.Cold.NamedScale);
        Assert.Equal([(f.Names.IndexOf("a"), 2f)], Row(f.Cold, 0));

        var scaled = EntityFeatures.Build(table, space, FeatureOptions.Defaults with { SharedWeight = 0.5f, Normalize = true });
        Assert.Equal([(0, 0.25f), (Column(f, "a"), 0.25f), (Column(f, "b"), 0.125f)], Row(scaled.Known, 0));

        var alone = EntityFeatures.Build(table, space, FeatureOptions.Defaults with { SharedWeight = 0.25f, Identity = false });
        Assert.Equal(1f, alone.Known.NamedScale);
        Assert.Equal([(alone.Names.IndexOf("a"), 2f), (alone.Names.IndexOf("b"), 1f)], Row(alone.Known, 0));

        // By default the rows leave the factor to the model that trains on them.
        var open = EntityFeatures.Build(table, space);
        Assert.Null(open.Known.NamedScale);
        Assert.Equal([(0, 1f), (Column(f, "a"), 2f), (Column(f, "b"), 1f)], Row(open.Known, 0));
        var chosen = open.Known.ScaleNamed(0.5f);
        Assert.Equal(0.5f, chosen.NamedScale);
        Assert.Equal([(0, 1f), (Column(f, "a"), 1f), (Column(f, "b"), 0.5f)], Row(chosen, 0));
        Assert.Throws<InvalidOperationException>(() => chosen.ScaleNamed(0.5f));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-0.5f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void ASharedWeightOutsideItsRangeIsRefused(float weight)
    {
        var table = Read("10\ta\n");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => EntityFeatures.Build(table, new IdMap([10L]), FeatureOptions.Defaults with { SharedWeight = weight }));
        Assert.Contains("SharedWeight", e.Message);
    }

    [Fact]
    public void ColdEntitiesWithoutAPositiveWeightAreLeftOutAndCounted()
    {
        var table = Read("7\tx\t0\n8\tx\t2\n9\ty\t0\n1\ty\n");
        var f = EntityFeatures.Build(table, new IdMap([1L]), FeatureOptions.Defaults with { Normalize = false });
        Assert.Equal([8L], f.ColdIds.Ids);
        Assert.Equal(2, f.ColdWithoutFeatures);
        Assert.Equal(1, f.Cold.RowCount);
        Assert.Equal([(f.Names.IndexOf("x"), 2f)], Row(f.Cold, 0));
        Assert.Same(f.Known.Names, f.Cold.Names);
    }

    [Fact]
    public void WithoutIdentityOrNormalisingWeightsStayAndFeaturelessRowsAreEmpty()
    {
        var table = Read("2\tx\t3\n2\ty\t0.5\n");
        var f = EntityFeatures.Build(table, new IdMap([1L, 2L]), FeatureOptions.Defaults with { Identity = false, Normalize = false });
        Assert.Equal(0, f.Known.IdentityCount);
        Assert.False(f.Known.Normalized);
        Assert.Empty(Row(f.Known, 0));
        Assert.Equal([(0, 3f), (1, 0.5f)], Row(f.Known, 1));
        Assert.Equal(1, f.WithoutFeatures);
        Assert.Equal(0, f.ColdIds.Count);
        Assert.Equal(0, f.Cold.RowCount);
        Assert.Equal(2, f.Known.ColumnCount);
    }

    [Fact]
    public void IdentityOnlyWhenNoEntityHasFeatures()
    {
        var table = Read("7\tx\n");
        var f = EntityFeatures.Build(table, new IdMap([1L, 2L]), FeatureOptions.Defaults with { Identity = true });
        Assert.Equal([(0, 1f)], Row(f.Known, 0));
        Assert.Equal(2, f.WithoutFeatures);
        Assert.Equal([7L], f.ColdIds.Ids);
    }

    [Fact]
    public void StringIdsMatchAStringSpace()
    {
        var table = Read("entity,feature\nu2,x\nu9,y\n", "f.csv");
        var f = EntityFeatures.Build(table, new IdMap(["u1", "u2"]));
        Assert.Equal([(1, 1f), (2 + f.Names.IndexOf("x"), 1f)], Row(f.Known, 1));
        Assert.Equal(IdKind.Text, f.ColdIds.Kind);
        Assert.Equal(["u9"], f.ColdIds.Names);
    }

    [Fact]
    public void IntegerIdsAreLookedUpInAStringSpaceByTheirText()
    {
        var table = Read("5\tx\n6\ty\n");
        var f = EntityFeatures.Build(table, new IdMap(["5", "a"]));
        Assert.Equal(2, Row(f.Known, 0).Length);
        Assert.Equal(["6"], f.ColdIds.Names);
    }

    [Fact]
    public void StringIdsOverAnIntegerSpacePointToIdType()
    {
        string path = Path.Combine(_dir, "s.tsv");
        File.WriteAllText(path, "\nu1\tx\n");
        var table = FeatureFile.Read(path);
        var e = Assert.Throws<DataFormatException>(() => EntityFeatures.Build(table, new IdMap([1L])));
        Assert.Equal(2, e.Line);
        Assert.Contains(path, e.Message);
        Assert.Contains("field 1 (entity id)", e.Message);
        Assert.Contains("--id-type", e.Message);
    }

    [Fact]
    public void ADuplicatePairIsRefusedNamingBothLines()
    {
        string path = Path.Combine(_dir, "dup.csv");
        File.WriteAllText(path, "user,feature,weight\n1,a,1\n\n2,a,1\n1,a,2\n");
        var table = FeatureFile.Read(path);
        var e = Assert.Throws<DataFormatException>(() => EntityFeatures.Build(table, new IdMap([1L, 2L])));
        Assert.Equal(5, e.Line);
        Assert.Contains("first at line 2", e.Message);
        Assert.Contains("'a'", e.Message);
    }

    [Theory]
    [InlineData(DuplicatePolicy.Sum, 3f)]
    [InlineData(DuplicatePolicy.KeepLast, 2f)]
    public void DuplicatesMergeWhenAsked(DuplicatePolicy policy, float weight)
    {
        var table = Read("1\ta\t1\n1\ta\t2\n");
        var f = EntityFeatures.Build(table, new IdMap([1L]), new FeatureOptions { Duplicates = policy, Identity = false, Normalize = false });
        Assert.Equal([(0, weight)], Row(f.Known, 0));
    }

    [Fact]
    public void ADuplicateInParquetNamesTheRowGroups()
    {
        string path = Path.Combine(_dir, "dup.parquet");
        ParquetRatingReaderTests.Write(path, [new Parquet.Schema.DataField<long>("user"), new Parquet.Schema.DataField<string>("feature")],
            [A<long>(1), A<string?>("a")], [A<long>(2, 1), A<string?>("a", "a")]);
        var e = Assert.Throws<DataFormatException>(() => EntityFeatures.Build(FeatureFile.Read(path), new IdMap([1L])));
        Assert.Equal(1, e.RowGroup);
        Assert.Contains("row group 0, row 0", e.Message);
    }

    [Fact]
    public void ATableMadeInCodeIsChecked()
    {
        var names = new IdMap(["a"]);
        Assert.Throws<ArgumentException>(() => new FeatureTable(new IdMap([1L]), names, [0], [1], [1f]));
        Assert.Throws<ArgumentException>(() => new FeatureTable(new IdMap([1L]), names, [0], [0], [-1f]));
        var table = new FeatureTable(new IdMap([1L]), names, [0, 0], [0, 0], [1f, 1f], "db");
        var e = Assert.Throws<DataFormatException>(() => EntityFeatures.Build(table, new IdMap([1L])));
        Assert.Contains("db", e.Message);
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void MovieLens100KItemsOverTheTrainingSplitsItems()
    {
        var ratings = InteractionFile.Read(Path.Combine(TestData.Root, "ml-100k", "u1.base"));
        var items = InteractionMatrix.Build(ratings).Items;
        var table = FeatureFile.Read(Path.Combine(TestData.Root, "ml-100k", "u.item"));
        var f = EntityFeatures.Build(table, items, FeatureOptions.Defaults with { Normalize = true });
        Assert.Equal(items.Count, f.Known.RowCount);
        var trained = items.Ids.ToHashSet();
        var withRows = table.EntityIndices.ToArray().Select(t => table.Entities[t]).ToHashSet();
        var untrained = table.Entities.Ids.Where(id => !trained.Contains(id)).ToList();
        Assert.Equal(untrained.Where(withRows.Contains), f.ColdIds.Ids);
        Assert.Equal(untrained.Count(id => !withRows.Contains(id)), f.ColdWithoutFeatures);
        Assert.Equal(f.ColdIds.Count, f.Cold.RowCount);
        Assert.Equal(items.Ids.Count(id => !withRows.Contains(id)), f.WithoutFeatures);
        for (int e = 0; e < f.Known.RowCount; e++)
        {
            Assert.Equal(e, f.Known.ColumnsOf(e)[0]);
            Assert.InRange(f.Known.WeightsOf(e).ToArray().Sum(), 1 - 1e-5f, 1 + 1e-5f);
        }
    }
}
