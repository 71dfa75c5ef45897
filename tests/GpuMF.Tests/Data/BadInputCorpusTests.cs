using GpuMF.Data;

namespace GpuMF.Tests.Data;

/// <summary>
/// Every file in Corpus/ with its outcome: the error (file, line, fragment of the message) or, for legitimate
/// inputs, the rows read.
/// </summary>
public sealed class BadInputCorpusTests
{
    private static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);

    public static TheoryData<string, long, string> Errors() => new()
    {
        { "nonnumeric-item.tsv", 2, "field 2 (item id) 'abc' is not an integer" },
        { "too-few-fields.dat", 2, "expected at least 3 fields separated by '::', found 2" },
        { "nan-value.tsv", 1, "field 3 (value) 'NaN' is not finite" },
        { "infinite-value.csv", 3, "field 3 (value) 'Infinity' is not finite" },
        { "id-overflow.tsv", 1, "field 1 (user id) '99999999999999999999' is not an integer" },
        { "empty.tsv", 0, "the file holds no interactions" },
        { "header-only.csv", 0, "the file holds no interactions" },
        { "spaces-not-tabs.tsv", 1, "field 1 (user id) '1 2 3' is not an integer" },
        { "decimal-comma.tsv", 1, "field 3 (value) '3,5' is not a number" },
        { "empty-field.tsv", 1, "field 2 (item id) '' is not an integer" },
        { "float-overflow.tsv", 1, "field 3 (value) '1e40' is not finite" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void BadFilesNameFileLineAndField(string file, long line, string fragment)
    {
        string path = Corpus(file);
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith(line > 0 ? $"{path}:{line}: " : $"{path}: ", e.Message);
    }

    [Fact]
    public void ValuesOutsideADeclaredRangeAreRejected()
    {
        string path = Corpus("out-of-range.tsv");
        Assert.Equal(2, RatingFileReader.Read(path).Count);
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(path, RatingFileFormat.Tsv with { MinValue = 1, MaxValue = 5 }));
        Assert.Equal(2, e.Line);
        Assert.Contains("7 is outside the declared range 1..5", e.Message);
    }

    public static TheoryData<string, long[], long[], float[]> Legitimate() => new()
    {
        { "negative-ids.tsv", [-5, -6], [-7, -7], [3, 4] },
        { "bom-crlf.csv", [1, 2], [10, 10], [4, 5] },
        { "blank-lines.tsv", [1, 2], [2, 3], [3, 4] },
        { "no-final-newline.tsv", [1, 2], [2, 3], [3, 1] },
        { "extra-fields.tsv", [1], [2], [4] },
        { "padded-fields.tsv", [1], [2], [3.5f] },
    };

    [Theory]
    [MemberData(nameof(Legitimate))]
    public void LegitimateFilesAreReadCorrectly(string file, long[] users, long[] items, float[] values)
    {
        var t = RatingFileReader.Read(Corpus(file));
        Assert.Equal(users, t.Users.ToArray());
        Assert.Equal(items, t.Items.ToArray());
        Assert.Equal(values, t.Values.ToArray());
    }

    [Fact]
    public void DuplicatePairsFollowTheExplicitPolicy()
    {
        var t = RatingFileReader.Read(Corpus("duplicate-pairs.tsv"));
        Assert.Contains("(user 1, item 2) occurs more than once", Assert.Throws<ArgumentException>(() => InteractionMatrix.Build(t)).Message);
        Assert.Equal(8f, InteractionMatrix.Build(t, DuplicatePolicy.Sum).ValuesOf(0)[0]);
        Assert.Equal(5f, InteractionMatrix.Build(t, DuplicatePolicy.KeepLast).ValuesOf(0)[0]);
    }
}
