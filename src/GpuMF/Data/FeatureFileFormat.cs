namespace GpuMF.Data;

/// <summary>What a feature file holds, and so how <see cref="FeatureFile"/> reads it.</summary>
public enum FeatureFileKind
{
    /// <summary>Rows of (entity id, feature name, optional weight): delimited text or Parquet (see <see cref="FeatureFileFormat"/>).</summary>
    Table,

    /// <summary>MovieLens 1M <c>movies.dat</c>, <c>MovieID::Title::Genre|Genre…</c> (ISO-8859-1): features <c>genre=&lt;Genre&gt;</c>.</summary>
    MovieLens1MMovies,

    /// <summary>MovieLens 1M <c>users.dat</c>, <c>UserID::Gender::Age::Occupation::Zip</c>: features <c>gender=</c>, <c>age=</c>, <c>occupation=</c> (see <see cref="MovieLensFeatures"/>).</summary>
    MovieLens1MUsers,

    /// <summary>MovieLens 100K <c>u.item</c>, <c>id|title|release|video release|url|19 genre flags</c> (ISO-8859-1): features <c>genre=&lt;Genre&gt;</c>.</summary>
    MovieLens100KItems,

    /// <summary>MovieLens 100K <c>u.user</c>, <c>id|age|gender|occupation|zip</c>: the features of <see cref="MovieLens1MUsers"/>, in the same vocabulary.</summary>
    MovieLens100KUsers,
}

/// <summary>
/// How a feature file is laid out. A <see cref="FeatureFileKind.Table"/> file is an interaction file whose item
/// column is the feature name (always read as a string) and whose value column is the weight: delimited text,
/// with or without a header, or Parquet (told by a <c>.parquet</c> extension or its leading bytes <c>PAR1</c>,
/// columns found by name). The MovieLens kinds are read by their own parsers.
/// </summary>
public sealed record FeatureFileFormat
{
    /// <summary>The default table layout: delimiter from the extension, header detected, ids of the kind the file holds.</summary>
    public static FeatureFileFormat Default { get; } = new();

    /// <summary>What the file holds (default <see cref="FeatureFileKind.Table"/>).</summary>
    public FeatureFileKind Kind { get; init; }

    /// <summary>
    /// A text table's field separator: "\t", ",", " " (any run of spaces and tabs) or any other non-empty string;
    /// null (default) to tell it from the extension: <c>.csv</c> comma, <c>.tsv</c> tab, <c>.txt</c> blanks.
    /// </summary>
    public string? Delimiter { get; init; }

    /// <summary>
    /// Whether a text table's first non-blank line is a header naming the columns: true, false, or null (default)
    /// to take it for one when one of its fields is <see cref="FeatureName"/> (case-insensitive). With a header the
    /// columns are found by name (<see cref="EntityName"/>, <see cref="FeatureName"/>, <see cref="WeightName"/>);
    /// without one, by position (<see cref="EntityColumn"/>, <see cref="FeatureColumn"/>, <see cref="WeightColumn"/>).
    /// A Parquet file's columns are always found by name.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>Header name of the entity id column; null (default) for the first of <see cref="DefaultEntityNames"/> present.</summary>
    public string? EntityName { get; init; }

    /// <summary>Header name of the feature name column (default <c>feature</c>).</summary>
    public string FeatureName { get; init; } = "feature";

    /// <summary>
    /// Header name of the weight column (default <c>weight</c>); when the header lacks it, a <c>value</c> or
    /// <c>rating</c> column serves, as for interactions, and failing that every row weighs 1.
    /// </summary>
    public string WeightName { get; init; } = "weight";

    /// <summary>0-based column of the entity id in a text table without header (default 0).</summary>
    public int EntityColumn { get; init; }

    /// <summary>0-based column of the feature name in a text table without header (default 1).</summary>
    public int FeatureColumn { get; init; } = 1;

    /// <summary>0-based column of the weight in a text table without header (default 2); -1 for none. A line that ends before it weighs 1.</summary>
    public int WeightColumn { get; init; } = 2;

    /// <summary>
    /// How entity ids are read, as for interactions: <see cref="IdType.Auto"/> (default) integers when the first id
    /// is one, else strings; <see cref="IdType.Numeric"/> integers only; <see cref="IdType.Text"/> every id a string.
    /// Read them as the interactions were read, so that the ids match (<c>--id-type</c>).
    /// </summary>
    public IdType IdType { get; init; }

    /// <summary>The names an entity column is looked for by when <see cref="EntityName"/> is null: <c>entity</c>, <c>id</c>, <c>user</c>, <c>item</c>, in turn.</summary>
    public static IReadOnlyList<string> DefaultEntityNames { get; } = ["entity", "id", "user", "item"];

    /// <summary>Tab-separated table, header detected.</summary>
    public static FeatureFileFormat Tsv { get; } = new() { Delimiter = "\t" };

    /// <summary>Comma-separated table, header detected.</summary>
    public static FeatureFileFormat Csv { get; } = new() { Delimiter = "," };

    /// <summary>MovieLens 1M <c>movies.dat</c>.</summary>
    public static FeatureFileFormat MovieLens1MMovies { get; } = new() { Kind = FeatureFileKind.MovieLens1MMovies };

    /// <summary>MovieLens 1M <c>users.dat</c>.</summary>
    public static FeatureFileFormat MovieLens1MUsers { get; } = new() { Kind = FeatureFileKind.MovieLens1MUsers };

    /// <summary>MovieLens 100K <c>u.item</c>.</summary>
    public static FeatureFileFormat MovieLens100KItems { get; } = new() { Kind = FeatureFileKind.MovieLens100KItems };

    /// <summary>MovieLens 100K <c>u.user</c>.</summary>
    public static FeatureFileFormat MovieLens100KUsers { get; } = new() { Kind = FeatureFileKind.MovieLens100KUsers };

    /// <summary>
    /// The format a file's name implies: <c>movies.dat</c>, <c>users.dat</c>, <c>u.item</c> and <c>u.user</c>
    /// (any case) are the MovieLens files; any other name is a table (<see cref="Default"/>).
    /// </summary>
    public static FeatureFileFormat FromFileName(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.GetFileName(path).ToLowerInvariant() switch
        {
            "movies.dat" => MovieLens1MMovies,
            "users.dat" => MovieLens1MUsers,
            "u.item" => MovieLens100KItems,
            "u.user" => MovieLens100KUsers,
            _ => Default,
        };
    }

    /// <summary>
    /// Parses a format name (case-insensitive): <c>table</c> (delimiter from the extension), <c>tsv</c>, <c>csv</c>,
    /// <c>ml-1m-movies</c>, <c>ml-1m-users</c>, <c>ml-100k-items</c> or <c>ml-100k-users</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is none of those.</exception>
    public static FeatureFileFormat Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "table" => Default,
            "tsv" => Tsv,
            "csv" => Csv,
            "ml-1m-movies" => MovieLens1MMovies,
            "ml-1m-users" => MovieLens1MUsers,
            "ml-100k-items" => MovieLens100KItems,
            "ml-100k-users" => MovieLens100KUsers,
            _ => throw new ArgumentException($"Unknown feature file format '{name}': expected table, tsv, csv, ml-1m-movies, ml-1m-users, ml-100k-items or ml-100k-users."),
        };
    }

    /// <summary>Checks the layout is usable.</summary>
    /// <exception cref="ArgumentException">The delimiter is empty, a name blank, or the positional columns not distinct and non-negative (the weight's may be -1).</exception>
    public void Validate()
    {
        if (Delimiter is { Length: 0 })
        {
            throw new ArgumentException("The delimiter must not be empty.");
        }
        if ((EntityName is not null && string.IsNullOrWhiteSpace(EntityName)) || string.IsNullOrWhiteSpace(FeatureName) || string.IsNullOrWhiteSpace(WeightName))
        {
            throw new ArgumentException($"Column names must not be blank: entity '{EntityName}', feature '{FeatureName}', weight '{WeightName}'.");
        }
        if (EntityColumn < 0 || FeatureColumn < 0 || EntityColumn == FeatureColumn || WeightColumn < -1 || WeightColumn == EntityColumn || WeightColumn == FeatureColumn)
        {
            throw new ArgumentException($"Invalid columns: entity {EntityColumn}, feature {FeatureColumn}, weight {WeightColumn}; they must be distinct and non-negative (the weight may be -1).");
        }
    }
}
