using GpuMF.Als;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Svd;

namespace GpuMF.Tests.Data;

/// <summary>
/// Every file in Corpus/ with its outcome: the error (file, line, fragment of the message) or, for legitimate
/// inputs, the rows read and what training and evaluation make of them. Corpus/README.md tabulates them.
/// </summary>
public sealed class BadInputCorpusTests
{
    internal static string Corpus(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);

    public static TheoryData<string, long, string> Errors() => new()
    {
        { "nonnumeric-item.tsv", 2, "field 2 (item id) 'abc' is not an integer" },
        { "too-few-fields.dat", 2, "expected at least 3 fields separated by '::', found 2" },
        { "nan-value.tsv", 1, "field 3 (value) 'NaN' is not finite" },
        { "infinite-value.csv", 3, "field 3 (value) 'Infinity' is not finite" },
        { "empty.tsv", 0, "the file holds no interactions" },
        { "header-only.csv", 0, "the file holds no interactions" },
        { "spaces-not-tabs.tsv", 1, "field 1 (user id) '1 2 3' is not an integer" },
        { "decimal-comma.tsv", 1, "field 3 (value) '3,5' is not a number" },
        { "empty-field.tsv", 1, "field 2 (item id) is empty" },
        { "empty-string-id.csv", 2, "field 1 (user id) is empty" },
        { "mixed-ids.tsv", 3, "field 1 (user id) 'u3' is not an integer, but this column's ids are integers since line 1 ('1'): a column that mixes integer and string ids must be read as strings (gpumf --id-type string, IdType.Text)" },
        { "mixed-ids-strings-first.csv", 3, "field 1 (user id) '3' is an integer, but this column's ids are strings since line 1 ('u1')" },
        { "unterminated-quote.csv", 3, "a quoted field is not closed: '\"u2,m2,5'" },
        { "text-after-quote.csv", 2, "text follows a closing quote: 'x,m2,5'" },
        { "invalid-utf8.tsv", 2, "is not valid UTF-8" },
        { "not-parquet.parquet", 0, "is not a Parquet file: it does not begin and end with the bytes PAR1" },
        { "float-overflow.tsv", 1, "field 3 (value) '1e40' is not finite" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void BadFilesNameFileLineAndField(string file, long line, string fragment)
    {
        string path = Corpus(file);
        var e = Assert.Throws<DataFormatException>(() => InteractionFile.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith(line > 0 ? $"{path}:{line}: " : $"{path}: ", e.Message);
    }

    [Fact]
    public void IdsBeyond64BitsAreStringsUnlessIntegersAreRequired()
    {
        string path = Corpus("id-overflow.tsv");
        Assert.Equal(["99999999999999999999"], RatingFileReader.Read(path).UserNames!.Names);
        var e = Assert.Throws<DataFormatException>(() => RatingFileReader.Read(path, RatingFileFormat.Tsv with { IdType = IdType.Numeric }));
        Assert.Equal(1, e.Line);
        Assert.Contains("field 1 (user id) '99999999999999999999' is not an integer", e.Message);
    }

    [Fact]
    public void QuotedStringIdsKeepTheirCommasAndQuotes()
    {
        var t = RatingFileReader.Read(Corpus("quoted-ids.csv"));
        Assert.Equal(["Smith, J."], t.UserNames!.Names);
        Assert.Equal(["The \"Best\" Film", "plain"], t.ItemNames!.Names);
        Assert.Equal([4f, 3f], t.Values.ToArray());
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
        { "huge-ids.tsv", [long.MaxValue, long.MinValue, long.MaxValue], [long.MinValue, long.MaxValue, long.MaxValue], [4, 5, 3] },
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

    [Theory]
    [InlineData("huge-ids.tsv")]
    [InlineData("negative-ids.tsv")]
    public void ExtremeIdsSurviveTrainingTheModelFileAndRecommendations(string file)
    {
        var table = RatingFileReader.Read(Corpus(file));
        var model = new SvdTrainer(SvdOptions.Defaults with { Factors = 2, Epochs = 3 }).Fit(InteractionMatrix.Build(table));
        string path = Support.TestData.TempPath(".gpumf");
        try
        {
            model.Save(path);
            var loaded = FactorModel.Load(path);
            Assert.Equal(table.Users.ToArray().Distinct(), loaded.Users.Ids);
            Assert.Equal(table.Items.ToArray().Distinct(), loaded.Items.Ids);
            long user = table.Users[0];
            var recommended = loaded.Recommend(user, n: 5, filterSeen: false).Select(r => r.Id).Order();
            Assert.Equal(table.Items.ToArray().Distinct().Order(), recommended);
            Assert.True(float.IsFinite(loaded.Predict(user, table.Items[0])));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>cold-test.tsv holds user 4 and item 13, which cold-train.tsv lacks.</summary>
    private static (InteractionMatrix Train, InteractionMatrix Test, FactorModel Model) Cold(bool implicitModel)
    {
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(RatingFileReader.Read(Corpus("cold-train.tsv")), DuplicatePolicy.Reject, users, items);
        FactorModel model = implicitModel
            ? new AlsTrainer(new AlsOptions { Factors = 2, Iterations = 2 }).Fit(train)
            : new SvdTrainer(SvdOptions.Defaults with { Factors = 2, Epochs = 3 }).Fit(train);
        var test = InteractionMatrix.Build(RatingFileReader.Read(Corpus("cold-test.tsv")), DuplicatePolicy.Reject, users, items);
        return (train, test, model);
    }

    [Fact]
    public void RatingsOfUsersAndItemsUnseenInTrainingArePredictedFromTheMeanAndBiases()
    {
        var (_, test, model) = Cold(implicitModel: false);
        Assert.Equal(4, test.UserCount);
        Assert.Equal(4, test.ItemCount);
        var m = RatingMetrics.Evaluate(model, test);
        Assert.Equal(3, m.Count);
        Assert.Equal(model.GlobalMean + model.ItemBias![model.Items.IndexOf(10)], model.Predict(4, 10));
        Assert.Equal(model.GlobalMean + model.UserBias![model.Users.IndexOf(2)], model.Predict(2, 13));
        double expected = Math.Sqrt(new[] { (1L, 12L, 4f), (4L, 10L, 5f), (2L, 13L, 3f) }.Average(r => Math.Pow(r.Item3 - model.Predict(r.Item1, r.Item2), 2)));
        Assert.Equal(expected, m.Rmse, 5);
    }

    [Fact]
    public void RankingEvaluationAndRecommendationNameWhatTheModelLacks()
    {
        var (_, test, model) = Cold(implicitModel: true);
        var e = Assert.Throws<ArgumentException>(() => RankingMetrics.Evaluate(model, test));
        Assert.Contains("spans 4 users and 4 items, the model 3 and 3: ranking needs every test user and item in the model", e.Message);
        Assert.Equal("Unknown user 4.", Assert.Throws<KeyNotFoundException>(() => model.Recommend(4L)).Message);
        Assert.Equal("Unknown item 13.", Assert.Throws<KeyNotFoundException>(() => model.SimilarItems(13L)).Message);
    }

    [Fact]
    public void DataBuiltAfterTrainingCannotChangeTheModelsIdMaps()
    {
        var (train, _, model) = Cold(implicitModel: false);
        Assert.Equal(4, train.Users.Count);
        Assert.Equal(3, model.Users.Count);
        Assert.Equal(3, model.Items.Count);
        Assert.True(model.Users.IsReadOnly);
        var e = Assert.Throws<InvalidOperationException>(() =>
            InteractionMatrix.Build(RatingFileReader.Read(Corpus("cold-test.tsv")), DuplicatePolicy.Reject, model.Users, model.Items));
        Assert.Contains("Id 4 is not in this read-only id map", e.Message);
    }
}
