using System.Text;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data.Features;

/// <summary>The MovieLens side files as feature sources: small inline files, malformed lines, and the real files.</summary>
public sealed class MovieLensFeaturesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-mlfeatures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, Encoding.Latin1);
        return path;
    }

    /// <summary>Each entity's feature names, in row order.</summary>
    private static Dictionary<string, List<string>> ByEntity(FeatureTable t)
    {
        var result = Enumerable.Range(0, t.Entities.Count).ToDictionary(t.Entities.Text, _ => new List<string>());
        for (int r = 0; r < t.Count; r++)
        {
            result[t.Entities.Text(t.EntityIndices[r])].Add(t.Names.Names[t.Features[r]]);
        }
        return result;
    }

    [Fact]
    public void MoviesDatGivesGenres()
    {
        var t = FeatureFile.Read(Write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n\n2::Amélie (2001)::Comedy|Romance\n"));
        var rows = ByEntity(t);
        Assert.Equal(["genre=Animation", "genre=Children's", "genre=Comedy"], rows["1"]);
        Assert.Equal(["genre=Comedy", "genre=Romance"], rows["2"]);
        Assert.Equal(4, t.Names.Count);
        Assert.All(t.Weights.ToArray(), w => Assert.Equal(1f, w));
        Assert.Equal("line 3", t.Where(3));
    }

    [Fact]
    public void UsersDatGivesGenderAgeBandAndOccupation()
    {
        var t = FeatureFile.Read(Write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::12::55117\n"));
        var rows = ByEntity(t);
        Assert.Equal(["gender=F", "age=under-18", "occupation=k-12-student"], rows["1"]);
        Assert.Equal(["gender=M", "age=56+", "occupation=self-employed"], rows["2"]);
        Assert.Equal(["gender=M", "age=25-34", "occupation=programmer"], rows["3"]);
    }

    [Fact]
    public void UItemGivesFlaggedGenresAndListsUnknownGenreMoviesWithoutFeatures()
    {
        string flags(params int[] on) => string.Join('|', Enumerable.Range(0, 19).Select(g => on.Contains(g) ? "1" : "0"));
        string text = $"1|Toy Story (1995)|01-Jan-1995||http://x|{flags(3, 4, 5)}\n267|unknown||||{flags(0)}\n";
        var t = FeatureFile.Read(Write("u.item", text));
        var rows = ByEntity(t);
        Assert.Equal(["genre=Animation", "genre=Children's", "genre=Comedy"], rows["1"]);
        Assert.Empty(rows["267"]);
        Assert.Equal([1L, 267L], t.Entities.Ids);
    }

    [Fact]
    public void UUserBucketsAgesAndMapsOccupations()
    {
        var t = FeatureFile.Read(Write("u.user", "1|17|M|engineer|85711\n2|18|F|healthcare|94043\n3|56|M|administrator|32067\n4|34|F|none|1\n5|45|M|salesman|2\n"));
        var rows = ByEntity(t);
        Assert.Equal(["gender=M", "age=under-18", "occupation=technician"], rows["1"]);
        Assert.Equal(["gender=F", "age=18-24", "occupation=doctor"], rows["2"]);
        Assert.Equal(["gender=M", "age=56+", "occupation=administrator"], rows["3"]);
        Assert.Equal(["gender=F", "age=25-34", "occupation=none"], rows["4"]);
        Assert.Equal(["gender=M", "age=45-49", "occupation=sales-marketing"], rows["5"]);
    }

    [Fact]
    public void TheFormatChoosesTheParserWhateverTheName()
    {
        var t = FeatureFile.Read(Write("people.txt", "9::F::18::0::1\n"), FeatureFileFormat.MovieLens1MUsers);
        Assert.Equal(["gender=F", "age=18-24", "occupation=other"], ByEntity(t)["9"]);
    }

    [Fact]
    public void TextIdTypeReadsIdsAsStrings()
    {
        var t = FeatureFile.Read(Write("movies.dat", "01::A::Drama\n"), FeatureFileFormat.MovieLens1MMovies with { IdType = IdType.Text });
        Assert.Equal(["01"], t.Entities.Names);
    }

    [Theory]
    [InlineData(0, "under-18")]
    [InlineData(17, "under-18")]
    [InlineData(18, "18-24")]
    [InlineData(24, "18-24")]
    [InlineData(25, "25-34")]
    [InlineData(44, "35-44")]
    [InlineData(45, "45-49")]
    [InlineData(50, "50-55")]
    [InlineData(55, "50-55")]
    [InlineData(56, "56+")]
    [InlineData(90, "56+")]
    public void AgeBandsFollowTheMovieLens1MBands(int age, string band) => Assert.Equal(band, MovieLensFeatures.AgeBand(age));

    [Fact]
    public void OccupationsOfBothDatasetsShareOneVocabulary()
    {
        Assert.Equal(21, MovieLensFeatures.Occupations.Count);
        Assert.Equal(MovieLensFeatures.Occupations.Count, MovieLensFeatures.Occupations.Distinct().Count());
        foreach (string name in new[] { "artist", "doctor", "educator", "executive", "homemaker", "lawyer", "other", "programmer", "retired", "scientist", "student", "technician", "writer" })
        {
            Assert.Contains(MovieLensFeatures.Occupation100K(name), MovieLensFeatures.Occupations);
        }
    }

    [Theory]
    [InlineData("movies.dat", "1::Toy Story::Comedy\n2 Jumanji Adventure\n", "MovieID::Title")]
    [InlineData("movies.dat", "x::Toy Story::Comedy\n", "field 1 (MovieID) 'x' is not an integer")]
    [InlineData("movies.dat", "1::A::Comedy||Drama\n", "empty genre")]
    [InlineData("users.dat", "1::F::17::10::48067\n", "field 3 (Age) '17'")]
    [InlineData("users.dat", "1::F::1::21::48067\n", "field 4 (Occupation) '21'")]
    [InlineData("users.dat", "1::X::1::2::48067\n", "field 2 (gender) 'X'")]
    [InlineData("users.dat", "1::F::1::2\n", "expected 5 fields")]
    [InlineData("u.item", "1|A|||x|0|1\n", "expected 24 fields")]
    [InlineData("u.item", "1|A|||x|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n", "field 7 (genre flag Action) '2'")]
    [InlineData("u.user", "1|old|M|writer|1\n", "field 2 (age) 'old'")]
    [InlineData("u.user", "1|20|M||1\n", "field 4 (occupation) is empty")]
    public void MalformedLinesNameFileLineAndField(string name, string text, string problem)
    {
        string path = Write(name, text);
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Equal(text.Count(c => c == '\n'), e.Line);
    }

    [Fact]
    public void AnEmptyMovieLensFileIsAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => FeatureFile.Read(Write("movies.dat", "\n")));
        Assert.Contains("holds no feature rows", e.Message);
    }

    [Fact]
    public void RealMoviesDatHoldsEveryMovieAndItsGenres()
    {
        string path = Path.Combine(TestData.Root, "ml-1m", "movies.dat");
        var lines = File.ReadLines(path, Encoding.Latin1).Where(l => l.Length > 0).ToList();
        var genres = lines.SelectMany(l => l[(l.LastIndexOf("::", StringComparison.Ordinal) + 2)..].Split('|')).Select(g => "genre=" + g).ToHashSet();
        var t = FeatureFile.Read(path);
        Assert.Equal(lines.Count, t.Entities.Count);
        Assert.Equal(genres.Order(StringComparer.Ordinal), t.Names.Names.Order(StringComparer.Ordinal));
        Assert.Equal(lines.Sum(l => l.Split("::")[^1].Split('|').Length), t.Count);
        // A Latin-1 title does not break its line.
        Assert.Equal(lines.Select(l => long.Parse(l.Split("::")[0], System.Globalization.CultureInfo.InvariantCulture)), t.Entities.Ids);
    }

    [Fact]
    public void RealUsersDatHoldsEveryUserWithThreeFeatures()
    {
        string path = Path.Combine(TestData.Root, "ml-1m", "users.dat");
        var fields = File.ReadLines(path).Where(l => l.Length > 0).Select(l => l.Split("::")).ToList();
        var t = FeatureFile.Read(path);
        Assert.Equal(fields.Count, t.Entities.Count);
        Assert.Equal(3 * fields.Count, t.Count);
        int Distinct(string prefix) => t.Names.Names.Count(n => n.StartsWith(prefix, StringComparison.Ordinal));
        Assert.Equal(fields.Select(f => f[1]).Distinct().Count(), Distinct("gender="));
        Assert.Equal(fields.Select(f => f[2]).Distinct().Count(), Distinct("age="));
        Assert.Equal(fields.Select(f => f[3]).Distinct().Count(), Distinct("occupation="));
        Assert.Equal(fields.Select(f => f[1]).Distinct().Count() + fields.Select(f => f[2]).Distinct().Count() + fields.Select(f => f[3]).Distinct().Count(), t.Names.Count);
    }

    [Fact]
    public void RealUItemHoldsEveryMovieAndNoUnknownGenre()
    {
        string path = Path.Combine(TestData.Root, "ml-100k", "u.item");
        var flags = File.ReadLines(path, Encoding.Latin1).Where(l => l.Length > 0).Select(l => l.Split('|')[5..]).ToList();
        var t = FeatureFile.Read(path);
        Assert.Equal(flags.Count, t.Entities.Count);
        Assert.Equal(flags.Sum(f => f.Skip(1).Count(x => x == "1")), t.Count);
        var used = Enumerable.Range(1, 18).Where(g => flags.Any(f => f[g] == "1")).Select(g => "genre=" + MovieLensFeatures.Genres100K[g]);
        Assert.Equal(used.Order(StringComparer.Ordinal), t.Names.Names.Order(StringComparer.Ordinal));
        var withRows = t.EntityIndices.ToArray().Distinct().Count();
        Assert.Equal(flags.Count(f => f.Skip(1).Contains("1")), withRows);
    }

    [Fact]
    public void RealUUserAgesFallInTheirBands()
    {
        string path = Path.Combine(TestData.Root, "ml-100k", "u.user");
        var fields = File.ReadLines(path).Where(l => l.Length > 0).Select(l => l.Split('|')).ToList();
        var t = FeatureFile.Read(path);
        Assert.Equal(fields.Count, t.Entities.Count);
        var rows = ByEntity(t);
        string[] own = ["administrator", "entertainment", "librarian", "none"];
        foreach (var f in fields)
        {
            var features = rows[f[0]];
            Assert.Equal(3, features.Count);
            string band = features.Single(n => n.StartsWith("age=", StringComparison.Ordinal))[4..];
            int age = int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture);
            int low = band == "under-18" ? 0 : int.Parse(band.TrimEnd('+').Split('-')[0], System.Globalization.CultureInfo.InvariantCulture);
            int high = band.EndsWith('+') ? int.MaxValue : band == "under-18" ? 17 : int.Parse(band.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(age, low, high);
            string occupation = features.Single(n => n.StartsWith("occupation=", StringComparison.Ordinal))[11..];
            Assert.True(MovieLensFeatures.Occupations.Contains(occupation) || own.Contains(occupation), occupation);
        }
    }
}
