using System.Globalization;
using System.Text;

namespace GpuMF.Data;

/// <summary>
/// The MovieLens side files as feature sources, in one vocabulary for MovieLens 1M and 100K:
/// <list type="bullet">
/// <item>movies: <c>genre=&lt;Genre&gt;</c>, the genre as the files spell it (<c>genre=Children's</c>, <c>genre=Sci-Fi</c>);
/// u.item's <c>unknown</c> flag, which says the genre is not known, gives no feature: such a movie is listed with no features;</item>
/// <item>users: <c>gender=F</c> or <c>gender=M</c>; <c>age=&lt;band&gt;</c>, the MovieLens 1M bands (<see cref="AgeBands"/>),
/// u.user's exact ages bucketed into them (<see cref="AgeBand"/>); <c>occupation=&lt;name&gt;</c>, the MovieLens 1M codes
/// as short names (<see cref="Occupations"/>), u.user's names mapped onto them where the meaning matches
/// (<see cref="Occupation100K"/>).</item>
/// </list>
/// The files are ISO-8859-1; every line gives one entity, its features weighing 1.
/// </summary>
public static class MovieLensFeatures
{
    /// <summary>The MovieLens 1M age bands in order, named by the ages they hold: under-18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+.</summary>
    public static IReadOnlyList<string> AgeBands { get; } = ["under-18", "18-24", "25-34", "35-44", "45-49", "50-55", "56+"];

    /// <summary>The lowest age of each band of <see cref="AgeBands"/>, which is also the code users.dat gives it.</summary>
    private static readonly int[] BandStarts = [1, 18, 25, 35, 45, 50, 56];

    /// <summary>
    /// The MovieLens 1M occupations by code (0–20), short lower-case names of the README's: other (other or not
    /// specified), educator (academic/educator), artist, clerical (clerical/admin), student (college/grad student),
    /// customer-service, doctor (doctor/health care), executive (executive/managerial), farmer, homemaker,
    /// k-12-student, lawyer, programmer, retired, sales-marketing, scientist, self-employed, technician
    /// (technician/engineer), tradesman (tradesman/craftsman), unemployed, writer.
    /// </summary>
    public static IReadOnlyList<string> Occupations { get; } =
    [
        "other", "educator", "artist", "clerical", "student", "customer-service", "doctor", "executive", "farmer", "homemaker",
        "k-12-student", "lawyer", "programmer", "retired", "sales-marketing", "scientist", "self-employed", "technician", "tradesman", "unemployed", "writer",
    ];

    /// <summary>MovieLens 100K's genres in u.genre's order, which is the order of u.item's flags; the first, <c>unknown</c>, gives no feature.</summary>
    public static IReadOnlyList<string> Genres100K { get; } =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>u.user's occupations whose meaning a MovieLens 1M one shares; the others keep their own names.</summary>
    private static readonly Dictionary<string, string> Occupation100KMap = new(StringComparer.OrdinalIgnoreCase)
    {
        ["engineer"] = "technician",
        ["healthcare"] = "doctor",
        ["marketing"] = "sales-marketing",
        ["salesman"] = "sales-marketing",
    };

    /// <summary>
    /// The age band (<see cref="AgeBands"/>) of an exact age: under 18 → <c>under-18</c>, 18–24 → <c>18-24</c>, …,
    /// 56 and over → <c>56+</c>. The MovieLens 1M codes, being each band's lowest age, map to their own bands.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="age"/> is negative.</exception>
    public static string AgeBand(int age)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(age);
        int band = BandStarts.Length - 1;
        while (band > 0 && age < BandStarts[band])
        {
            band--;
        }
        return AgeBands[band];
    }

    /// <summary>
    /// A u.user occupation in the MovieLens 1M vocabulary (<see cref="Occupations"/>): engineer → technician,
    /// healthcare → doctor, marketing and salesman → sales-marketing, and the names the two share (artist, doctor,
    /// educator, executive, homemaker, lawyer, other, programmer, retired, scientist, student, technician, writer)
    /// as they are; the rest (administrator, entertainment, librarian, none) keep their own names, lower-cased:
    /// none is kept apart from other, which MovieLens 1M merges with "not specified", since u.user tells them apart.
    /// </summary>
    public static string Occupation100K(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string trimmed = name.Trim();
        return Occupation100KMap.TryGetValue(trimmed, out string? mapped) ? mapped : trimmed.ToLowerInvariant();
    }

    /// <summary>Reads a MovieLens side file of <paramref name="kind"/> (see <see cref="FeatureFile.Read"/>).</summary>
    internal static FeatureTable Read(string path, FeatureFileKind kind, IdType idType, CancellationToken cancellation)
    {
        var builder = new Builder(path, idType);
        using var lines = new LineReader(new StreamReader(path, Encoding.Latin1), path);
        while (lines.ReadLine() is { } line)
        {
            if (lines.LineNumber % 4096 == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            if (line.Length == 0)
            {
                continue;
            }
            builder.Line = lines.LineNumber;
            builder.Text = line;
            switch (kind)
            {
                case FeatureFileKind.MovieLens1MMovies:
                    Movie1M(builder, line);
                    break;
                case FeatureFileKind.MovieLens1MUsers:
                    User1M(builder, line);
                    break;
                case FeatureFileKind.MovieLens100KItems:
                    Item100K(builder, line);
                    break;
                default:
                    User100K(builder, line);
                    break;
            }
        }
        return builder.ToTable();
    }

    private static void Movie1M(Builder b, string line)
    {
        int first = line.IndexOf("::", StringComparison.Ordinal);
        int last = line.LastIndexOf("::", StringComparison.Ordinal);
        if (first < 0 || last == first)
        {
            throw b.Malformed("expected 'MovieID::Title::Genre|Genre…'");
        }
        b.Entity(line[..first], "MovieID");
        string genres = line[(last + 2)..];
        // Later MovieLens releases mark a movie without genres so; it is listed with none.
        if (genres == "(no genres listed)")
        {
            return;
        }
        foreach (string genre in genres.Split('|'))
        {
            if (genre.Trim().Length == 0)
            {
                throw b.Malformed($"field 3 (Genres) '{genres}' holds an empty genre");
            }
            b.Feature("genre=" + genre.Trim());
        }
    }

    private static void User1M(Builder b, string line)
    {
        string[] f = line.Split("::");
        if (f.Length != 5)
        {
            throw b.Malformed($"expected 5 fields 'UserID::Gender::Age::Occupation::Zip-code', found {f.Length}");
        }
        b.Entity(f[0], "UserID");
        b.Feature(Gender(b, f[1], 2));
        int age = Array.IndexOf(BandStarts, b.Integer(f[2], 3, "Age"));
        if (age < 0)
        {
            throw b.Malformed($"field 3 (Age) '{f[2]}' is not one of the MovieLens 1M age codes {string.Join(", ", BandStarts)}");
        }
        b.Feature("age=" + AgeBands[age]);
        int occupation = b.Integer(f[3], 4, "Occupation");
        if ((uint)occupation >= (uint)Occupations.Count)
        {
            throw b.Malformed($"field 4 (Occupation) '{f[3]}' is not an occupation code 0-{Occupations.Count - 1}");
        }
        b.Feature("occupation=" + Occupations[occupation]);
    }

    private static void Item100K(Builder b, string line)
    {
        string[] f = line.Split('|');
        int expected = 5 + Genres100K.Count;
        if (f.Length != expected)
        {
            throw b.Malformed($"expected {expected} fields 'id|title|release date|video release date|url|{Genres100K.Count} genre flags' separated by '|', found {f.Length}");
        }
        b.Entity(f[0], "movie id");
        for (int g = 0; g < Genres100K.Count; g++)
        {
            string flag = f[5 + g];
            if (flag is not ("0" or "1"))
            {
                throw b.Malformed($"field {6 + g} (genre flag {Genres100K[g]}) '{flag}' is not 0 or 1");
            }
            if (flag == "1" && g > 0)
            {
                b.Feature("genre=" + Genres100K[g]);
            }
        }
    }

    private static void User100K(Builder b, string line)
    {
        string[] f = line.Split('|');
        if (f.Length != 5)
        {
            throw b.Malformed($"expected 5 fields 'user id|age|gender|occupation|zip code' separated by '|', found {f.Length}");
        }
        b.Entity(f[0], "user id");
        int age = b.Integer(f[1], 2, "age");
        if (age < 0)
        {
            throw b.Malformed($"field 2 (age) '{f[1]}' is negative");
        }
        b.Feature(Gender(b, f[2], 3));
        b.Feature("age=" + AgeBand(age));
        if (f[3].Trim().Length == 0)
        {
            throw b.Malformed("field 4 (occupation) is empty");
        }
        b.Feature("occupation=" + Occupation100K(f[3]));
    }

    private static string Gender(Builder b, string text, int field) => text.Trim() switch
    {
        "F" => "gender=F",
        "M" => "gender=M",
        _ => throw b.Malformed($"field {field} (gender) '{text}' is not F or M"),
    };

    /// <summary>The entities, names and rows of a file being read, and the line being read for errors.</summary>
    private sealed class Builder(string path, IdType idType)
    {
        private readonly IdMap _entities = new(idType == IdType.Text ? IdKind.Text : IdKind.Numeric);
        private readonly IdMap _names = new(IdKind.Text);
        private readonly List<int> _rowEntities = [];
        private readonly List<int> _rowFeatures = [];
        private readonly List<long> _lines = [];
        private int _entity;

        public long Line { get; set; }

        public string Text { get; set; } = "";

        public void Entity(string text, string field)
        {
            string id = text.Trim();
            if (id.Length == 0)
            {
                throw Malformed($"field 1 ({field}) is empty");
            }
            if (_entities.Kind == IdKind.Text)
            {
                _entity = _entities.GetOrAdd(id);
                return;
            }
            if (!long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw Malformed($"field 1 ({field}) '{id}' is not an integer (read string ids with IdType.Text, --id-type string)");
            }
            _entity = _entities.GetOrAdd(value);
        }

        public void Feature(string name)
        {
            _rowEntities.Add(_entity);
            _rowFeatures.Add(_names.GetOrAdd(name));
            _lines.Add(Line);
        }

        public int Integer(string text, int field, string what) =>
            int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw Malformed($"field {field} ({what}) '{text}' is not an integer");

        public DataFormatException Malformed(string problem) =>
            new(path, Line, $"{problem}: '{(Text.Length > 80 ? Text[..80] + "…" : Text)}'.");

        public FeatureTable ToTable()
        {
            if (_entities.Count == 0)
            {
                throw new DataFormatException(path, 0, "the file holds no feature rows.");
            }
            var weights = new float[_rowEntities.Count];
            Array.Fill(weights, 1f);
            var lines = _lines.ToArray();
            return new FeatureTable(path, _entities, _names, [.. _rowEntities], [.. _rowFeatures], weights,
                row => new RowOrigin(lines[row], -1, row), "field 1 (entity id)", "feature");
        }
    }
}
