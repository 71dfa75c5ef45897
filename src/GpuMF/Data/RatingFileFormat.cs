namespace GpuMF.Data;

/// <summary>
/// How a ratings file is laid out: one interaction a line, fields split by <see cref="Delimiter"/>.
/// </summary>
/// <param name="Delimiter">The field separator: "::" (MovieLens 1M/10M), "\t", ",", " " (one space, which stands for any run of spaces and tabs: see <see cref="SplitsOnWhitespace"/>), or any other non-empty string.</param>
/// <param name="HasHeader">True when the first line always names the columns and holds no data (see also <see cref="DetectHeader"/>).</param>
/// <param name="UserColumn">0-based column of the user id (default 0).</param>
/// <param name="ItemColumn">0-based column of the item id (default 1).</param>
/// <param name="ValueColumn">0-based column of the rating or count; -1 reads every line as a positive of value 1 (default 2).</param>
public sealed record RatingFileFormat(string Delimiter, bool HasHeader = false, int UserColumn = 0, int ItemColumn = 1, int ValueColumn = 2)
{
    /// <summary>Smallest value accepted (inclusive); a value below it is an error naming the line. Default: no bound.</summary>
    public float MinValue { get; init; } = float.NegativeInfinity;

    /// <summary>Largest value accepted (inclusive); a value above it is an error naming the line. Default: no bound.</summary>
    public float MaxValue { get; init; } = float.PositiveInfinity;

    /// <summary>
    /// True to tell a header from data by the first non-blank line itself: it is skipped as a header when neither
    /// its user nor its item field is a number, nor its value field where it has one (<c>userId,movieId,rating</c>),
    /// and read as data otherwise (<c>u1,m1,4</c>: string ids come with numeric values), so a file that starts with
    /// data loses no row. A two-column line of strings (<c>user,item</c> or <c>u1,m1</c>) is taken for a header;
    /// a file of string pairs without one is read with this false. Ignored when <see cref="HasHeader"/> is true or
    /// the columns are found by name. Default false.
    /// </summary>
    public bool DetectHeader { get; init; }

    /// <summary>
    /// True to read a line that ends before the value column as a positive of value 1, so that two-column
    /// implicit files (<c>user&lt;TAB&gt;item</c>) read as they are; lines that hold a value keep it. Default
    /// false: such a line is an error, as explicit ratings need their value.
    /// </summary>
    public bool ValueOptional { get; init; }

    /// <summary>
    /// 0-based column of an integer timestamp (MovieLens <c>ratings.dat</c> and <c>u.data</c>: column 3, seconds
    /// since 1970), or -1 for none (default). When set, the table read keeps a time a row (<see cref="RatingTable.HasTimes"/>),
    /// and a line without it, or whose time is not an integer, is an error naming the line and the field. Ignored when the columns are found by name (<see cref="TimeName"/>).
    /// </summary>
    public int TimeColumn { get; init; } = -1;

    /// <summary>
    /// How the user and item columns are read: <see cref="IdType.Auto"/> (default) decides each column from its
    /// first row, <see cref="IdType.Numeric"/> requires 64-bit integers, <see cref="IdType.Text"/> takes every id
    /// as a string. <see cref="UserIdType"/> and <see cref="ItemIdType"/> override it for one column.
    /// </summary>
    public IdType IdType { get; init; }

    /// <summary>How the user column is read, overriding <see cref="IdType"/>; null (default) to follow it.</summary>
    public IdType? UserIdType { get; init; }

    /// <summary>How the item column is read, overriding <see cref="IdType"/>; null (default) to follow it.</summary>
    public IdType? ItemIdType { get; init; }

    /// <summary>
    /// True to find the columns by the names in the file's first line rather than by position: the first
    /// non-blank line is then always the header, and names are compared case-insensitively. Setting any of
    /// <see cref="UserName"/>, <see cref="ItemName"/>, <see cref="ValueName"/> or <see cref="TimeName"/> implies
    /// it. The columns not named default to <c>user</c>, <c>item</c>, <c>value</c> or else <c>rating</c> (absent:
    /// every row a positive of value 1), and no time. Default false.
    /// </summary>
    public bool ColumnsByName { get; init; }

    /// <summary>Header name of the user column; null (default) for <see cref="DefaultUserName"/> when <see cref="FindsColumnsByName"/>, else positional.</summary>
    public string? UserName { get; init; }

    /// <summary>Header name of the item column; null (default) for <see cref="DefaultItemName"/> when <see cref="FindsColumnsByName"/>, else positional.</summary>
    public string? ItemName { get; init; }

    /// <summary>Header name of the value column, which must then be present; null (default) for <c>value</c> or else <c>rating</c> when <see cref="FindsColumnsByName"/>, or none.</summary>
    public string? ValueName { get; init; }

    /// <summary>Header name of an integer time column, which must then be present; null (default) for no time when <see cref="FindsColumnsByName"/>.</summary>
    public string? TimeName { get; init; }

    /// <summary>The user column's name when none is given: <c>user</c>.</summary>
    public const string DefaultUserName = "user";

    /// <summary>The item column's name when none is given: <c>item</c>.</summary>
    public const string DefaultItemName = "item";

    /// <summary>The value column's names tried in turn when none is given: <c>value</c>, then <c>rating</c>.</summary>
    public static IReadOnlyList<string> DefaultValueNames { get; } = ["value", "rating"];

    /// <summary>The time column's usual name, for callers that ask for times without naming the column: <c>timestamp</c>.</summary>
    public const string DefaultTimeName = "timestamp";

    /// <summary>True when the columns are found by the header's names (<see cref="ColumnsByName"/> or any name given).</summary>
    public bool FindsColumnsByName => ColumnsByName || UserName is not null || ItemName is not null || ValueName is not null || TimeName is not null;

    /// <summary>True when rows carry a time: a <see cref="TimeColumn"/> by position, or a <see cref="TimeName"/>.</summary>
    public bool ReadsTimes => FindsColumnsByName ? TimeName is not null : TimeColumn >= 0;

    /// <summary>
    /// True when <see cref="Delimiter"/> is a single space, which splits fields at every run of spaces and tabs
    /// and ignores blanks at either end of a line (files aligned with spaces, or mixing spaces and tabs).
    /// </summary>
    public bool SplitsOnWhitespace => Delimiter == " ";

    /// <summary>MovieLens 1M/10M <c>ratings.dat</c>: <c>UserID::MovieID::Rating[::Timestamp]</c>.</summary>
    public static RatingFileFormat MovieLens { get; } = new("::");

    /// <summary>Tab-separated <c>user, item, rating</c> (MovieLens 100K <c>u.data</c> and the split files); a first line that is not numeric is taken for a header.</summary>
    public static RatingFileFormat Tsv { get; } = new("\t") { DetectHeader = true };

    /// <summary>Comma-separated <c>user, item, rating</c>, with or without a header line (MovieLens 20M/25M <c>ratings.csv</c> has one): a first line that is not numeric is taken for a header.</summary>
    public static RatingFileFormat Csv { get; } = new(",") { DetectHeader = true };

    /// <summary><c>user item rating</c> separated by runs of spaces or tabs (<see cref="SplitsOnWhitespace"/>); a first line that is not numeric is taken for a header.</summary>
    public static RatingFileFormat Whitespace { get; } = new(" ") { DetectHeader = true };

    /// <summary>Picks the format from a file name: <c>.dat</c> → MovieLens, <c>.csv</c> → CSV, <c>.tsv</c>, <c>.data</c>, <c>.base</c>, <c>.test</c> → TSV, <c>.txt</c> → whitespace-separated.</summary>
    /// <exception cref="ArgumentException">The extension is not one of those; name the format explicitly.</exception>
    public static RatingFileFormat FromFileName(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".dat" => MovieLens,
            ".csv" => Csv,
            ".tsv" or ".data" or ".base" or ".test" => Tsv,
            ".txt" => Whitespace,
            _ => throw new ArgumentException($"Cannot tell the format of '{path}' from its extension '{ext}'; give it explicitly (movielens, tsv, csv or whitespace)."),
        };
    }

    /// <summary>Parses a format name: <c>movielens</c>, <c>tsv</c>, <c>csv</c> or <c>whitespace</c> (case-insensitive).</summary>
    public static RatingFileFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "movielens" or "dat" => MovieLens,
        "tsv" => Tsv,
        "csv" => Csv,
        "whitespace" or "ws" => Whitespace,
        _ => throw new ArgumentException($"Unknown data format '{name}': expected movielens, tsv, csv or whitespace."),
    };

    /// <summary>How errors name the columns and the rows: interactions' by default, a feature file's when it is read as one.</summary>
    internal ColumnLabels Labels { get; init; } = ColumnLabels.Interactions;

    /// <summary>Checks the layout is usable.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Delimiter))
        {
            throw new ArgumentException("The delimiter must not be empty.");
        }
        if (UserColumn < 0 || ItemColumn < 0 || UserColumn == ItemColumn || ValueColumn < -1 || ValueColumn == UserColumn || ValueColumn == ItemColumn
            || TimeColumn < -1 || TimeColumn == UserColumn || TimeColumn == ItemColumn || (TimeColumn >= 0 && TimeColumn == ValueColumn))
        {
            throw new ArgumentException($"Invalid columns: user {UserColumn}, item {ItemColumn}, value {ValueColumn}, time {TimeColumn}; they must be distinct and non-negative (value and time may be -1).");
        }
        foreach (var (option, name) in new[] { ("user", UserName), ("item", ItemName), ("value", ValueName), ("time", TimeName) })
        {
            if (name is not null && string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"The {option} column's name must not be blank.");
            }
        }
        if (!(MinValue <= MaxValue))
        {
            throw new ArgumentException($"Invalid value range {MinValue}..{MaxValue}.");
        }
    }
}
