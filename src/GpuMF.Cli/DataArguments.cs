using System.CommandLine;
using System.Globalization;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// How a command reads interaction files, delimited or Parquet (<see cref="InteractionFile"/>): <c>--format</c>,
/// <c>--id-type</c>, the columns by name (<c>--user-col</c>, <c>--item-col</c>, <c>--value-col</c>, <c>--time-col</c>),
/// <c>--value-range</c>, <c>--min-value</c> (commands that train the implicit models) and <c>--duplicates</c>.
/// Implicit models read every kept row as a positive of value 1, and two-column files (<c>user&lt;TAB&gt;item</c>)
/// as such positives.
/// </summary>
internal sealed class DataArguments
{
    private static readonly string[] Formats = ["movielens", "tsv", "csv", "whitespace"];
    private static readonly string[] Policies = ["sum", "last", "reject"];
    private static readonly string[] IdTypes = ["auto", "int", "string"];

    /// <param name="command">The command that reads interactions.</param>
    /// <param name="models">True when it trains a model (the defaults then depend on the model); false for split.</param>
    public DataArguments(Command command, bool models)
    {
        Format = Opt.Choice("--format", "layout of the data files (default: from the extension: .dat movielens, .csv csv, .tsv .data .base .test tsv, .txt whitespace)", Formats, null);
        ValueRange = new Option<(float Min, float Max)?>("--value-range")
        {
            Description = "the range values must lie in, such as 1..5: a value outside it is an error naming its line (default: any finite value)",
            HelpName = "A..B",
            CustomParser = r => ParseRange(r.Tokens[0].Value) ?? Invalid(r.Tokens[0].Value, r.AddError),
        };
        IdTypeOption = Opt.Choice("--id-type", "how user and item ids are read: auto (integers when a column's first id is one, else strings), int (64-bit integers only) or string (every id a string, \"007\" and \"7\" two ids); default auto", IdTypes, null);
        UserCol = Opt.Text("--user-col", "NAME", "the user id column by its name in the header line (CSV/TSV) or the Parquet schema; default user (as soon as any column is named)", required: false);
        ItemCol = Opt.Text("--item-col", "NAME", "the item id column by name; default item", required: false);
        ValueCol = Opt.Text("--value-col", "NAME", "the value column by name, which must then exist; default value or else rating, or none: every row a positive of value 1", required: false);
        TimeCol = Opt.Text("--time-col", "NAME|N", "read a timestamp a row: the column of that name, or the N-th column (1-based) of a file read by position (4 for MovieLens ratings.dat and u.data); default none", required: false);
        command.Options.Add(Format);
        command.Options.Add(IdTypeOption);
        command.Options.Add(UserCol);
        command.Options.Add(ItemCol);
        command.Options.Add(ValueCol);
        command.Options.Add(TimeCol);
        command.Options.Add(ValueRange);
        if (models)
        {
            MinValue = Opt.OptionalFloat("--min-value", "als, bpr, warp: keep only the rows whose value is at least X (ratings ≥ 4 as positives, say)");
            command.Options.Add(MinValue);
        }
        string defaults = models
            ? "default: sum for als, bpr and warp (a repeated positive counts as often as it occurs, which als's confidence uses; bpr and warp see one positive), last for svd"
            : "default: last";
        Duplicates = Opt.Choice("--duplicates", $"rows that repeat a (user, item) pair: add their values, keep the last, or stop with an error; {defaults}; the rows merged are counted on stderr", Policies, null);
        command.Options.Add(Duplicates);
    }

    /// <summary><c>--format</c>.</summary>
    public Option<string> Format { get; }

    /// <summary><c>--id-type</c>.</summary>
    public Option<string> IdTypeOption { get; }

    /// <summary><c>--user-col</c>.</summary>
    public Option<string> UserCol { get; }

    /// <summary><c>--item-col</c>.</summary>
    public Option<string> ItemCol { get; }

    /// <summary><c>--value-col</c>.</summary>
    public Option<string> ValueCol { get; }

    /// <summary><c>--time-col</c>.</summary>
    public Option<string> TimeCol { get; }

    /// <summary><c>--value-range</c>.</summary>
    public Option<(float Min, float Max)?> ValueRange { get; }

    /// <summary><c>--min-value</c>, on commands that train models.</summary>
    public Option<float?>? MinValue { get; }

    /// <summary><c>--duplicates</c>.</summary>
    public Option<string> Duplicates { get; }

    /// <summary>Checks, before any work, that the options fit <paramref name="family"/> and that the format of <paramref name="path"/> is known.</summary>
    /// <exception cref="UsageException">They do not.</exception>
    public void Check(ParseResult parse, ModelFamily? family, string path, string option)
    {
        if (MinValue is not null && parse.Given(MinValue) && family is { TrainsOnPositives: false })
        {
            throw new UsageException($"--min-value applies to the implicit models ({string.Join(", ", ModelRegistry.All.Where(f => f.TrainsOnPositives).Select(f => f.Name))}), not to {family.Name}, which trains on the ratings themselves.");
        }
        if (!InteractionFile.IsParquet(path))
        {
            FormatOf(parse, path, option, valueOptional: false, kinds: null);
        }
    }

    /// <summary>
    /// Reads <paramref name="path"/>, Parquet or delimited: for an implicit model (<paramref name="positives"/>) the
    /// rows at or above <c>--min-value</c> as positives of value 1, then repeats merged by <c>--duplicates</c>.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="path">The file.</param>
    /// <param name="option">The option that named it, for errors.</param>
    /// <param name="positives">True to keep the rows as positives of value 1.</param>
    /// <param name="valueOptional">True to read a line without its value as a positive.</param>
    /// <param name="cancellation">Checked as the file is read.</param>
    /// <param name="kinds">
    /// The id kinds the file must be read with, overriding <c>--id-type</c>: a loaded model's, so that the file's ids
    /// match the model's (an integer column read as strings where the model's ids are strings); null (default) to
    /// follow <c>--id-type</c>.
    /// </param>
    /// <param name="counts">With <paramref name="positives"/>: keep the values as counts (<see cref="ImplicitCounts"/>) instead of making them 1. Default false.</param>
    /// <param name="times">Read a timestamp a row, from <c>--time-col</c> or else the fourth field (the column <c>timestamp</c> when read by names). Default false.</param>
    /// <exception cref="UsageException"><c>--min-value</c> keeps no row.</exception>
    /// <exception cref="DataFormatException">The file is malformed, or a pair repeats under <c>--duplicates reject</c>.</exception>
    public LoadedTable Read(ParseResult parse, string path, string option, bool positives, bool valueOptional, CancellationToken cancellation, (IdKind Users, IdKind Items)? kinds = null, bool counts = false, bool times = false)
    {
        var table = InteractionFile.IsParquet(path)
            ? ParquetRatingReader.Read(path, ParquetColumns.From(WithTimes(ColumnsOf(parse, new RatingFileFormat(",") { ValueOptional = valueOptional }, kinds), times, byName: true)), cancellation)
            : RatingFileReader.Read(path, WithTimes(FormatOf(parse, path, option, valueOptional, kinds), times, byName: false), cancellation);
        int read = table.Count;
        if (positives)
        {
            float min = (MinValue is null ? null : parse.GetValue(MinValue)) ?? float.NegativeInfinity;
            table = counts ? ImplicitCounts.Keep(table, min, path) : table.Positives(min);
            if (table.Count == 0)
            {
                throw new UsageException($"--min-value {min.ToString(CultureInfo.InvariantCulture)} keeps none of the {read:N0} rows of {path}: every value is below it.");
            }
        }
        cancellation.ThrowIfCancellationRequested();
        string word = parse.GetValue(Duplicates) ?? (positives ? "sum" : "last");
        var policy = word switch
        {
            "sum" => DuplicatePolicy.Sum,
            "reject" => DuplicatePolicy.Reject,
            _ => DuplicatePolicy.KeepLast,
        };
        var (merged, count) = DuplicateRows.Merge(table, policy, path);
        if (count > 0)
        {
            Console.Error.WriteLine($"{path}: {count:N0} row{(count == 1 ? "" : "s")} repeating a (user, item) pair merged into its first (--duplicates {word})");
        }
        return new LoadedTable(merged, read, count);
    }

    private RatingFileFormat FormatOf(ParseResult parse, string path, string option, bool valueOptional, (IdKind Users, IdKind Items)? kinds)
    {
        RatingFileFormat format;
        if (parse.GetValue(Format) is { } name)
        {
            format = RatingFileFormat.Parse(name);
        }
        else
        {
            try
            {
                format = RatingFileFormat.FromFileName(path);
            }
            catch (ArgumentException)
            {
                throw new UsageException($"{option} {path}: cannot tell the layout from the extension '{Path.GetExtension(path)}'; give --format {Opt.Join(Formats)}.");
            }
        }
        format = ColumnsOf(parse, format, kinds) with { ValueOptional = valueOptional };
        try
        {
            format.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option} {path}: {e.Message}");
        }
        return format;
    }

    /// <summary><paramref name="format"/> with the id types, column names and value range of the command line.</summary>
    private RatingFileFormat ColumnsOf(ParseResult parse, RatingFileFormat format, (IdKind Users, IdKind Items)? kinds)
    {
        if (parse.GetValue(ValueRange) is { } range)
        {
            format = format with { MinValue = range.Min, MaxValue = range.Max };
        }
        var type = parse.GetValue(IdTypeOption) switch
        {
            "int" => IdType.Numeric,
            "string" => IdType.Text,
            _ => IdType.Auto,
        };
        format = format with { IdType = type };
        if (kinds is { } forced)
        {
            format = format with { UserIdType = TypeOf(forced.Users), ItemIdType = TypeOf(forced.Items) };
        }
        string? user = parse.GetValue(UserCol), item = parse.GetValue(ItemCol), value = parse.GetValue(ValueCol), time = parse.GetValue(TimeCol);
        bool byName = user is not null || item is not null || value is not null;
        // A number names a column by position only in a file read by position; a header's column may be called "4".
        if (!byName && int.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out int position) && position >= 1)
        {
            return format with { TimeColumn = position - 1 };
        }
        return format with { UserName = user, ItemName = item, ValueName = value, TimeName = time };
    }

    /// <summary>
    /// <paramref name="format"/> reading times when <paramref name="times"/> asks for them and --time-col chose no
    /// column: the column <c>timestamp</c> of a file read by names (Parquet, or named columns), else the fourth field.
    /// </summary>
    private static RatingFileFormat WithTimes(RatingFileFormat format, bool times, bool byName) =>
        !times || format.TimeColumn >= 0 || format.TimeName is not null ? format
        : byName || format.UserName is not null || format.ItemName is not null || format.ValueName is not null ? format with { TimeName = "timestamp" }
        : format with { TimeColumn = 3 };

    private static IdType TypeOf(IdKind kind) => kind == IdKind.Text ? IdType.Text : IdType.Numeric;

    private static (float, float)? ParseRange(string text)
    {
        string[] parts = text.Split("..");
        return parts.Length == 2
            && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float min)
            && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float max)
            && min <= max
            ? (min, max)
            : null;
    }

    private static (float, float)? Invalid(string text, Action<string> error)
    {
        error($"--value-range must look like 1..5 (smallest..largest); got '{text}'.");
        return null;
    }
}

/// <summary>A data file as a command reads it.</summary>
/// <param name="Table">The rows kept, repeats merged.</param>
/// <param name="RowsRead">Rows in the file.</param>
/// <param name="Merged">Rows merged into another of the same pair.</param>
internal sealed record LoadedTable(RatingTable Table, int RowsRead, int Merged);
