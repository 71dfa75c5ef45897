using System.CommandLine;
using System.Globalization;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// How a command reads interaction files: <c>--format</c>, <c>--value-range</c>, <c>--min-value</c> (commands
/// that train the implicit models) and <c>--duplicates</c>. Implicit models read every kept row as a positive
/// of value 1, and two-column files (<c>user&lt;TAB&gt;item</c>) as such positives.
/// </summary>
internal sealed class DataArguments
{
    private static readonly string[] Formats = ["movielens", "tsv", "csv", "whitespace"];
    private static readonly string[] Policies = ["sum", "last", "reject"];

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
        command.Options.Add(Format);
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
        FormatOf(parse, path, option, valueOptional: false);
    }

    /// <summary>
    /// Reads <paramref name="path"/>: for an implicit model (<paramref name="positives"/>) the rows at or above
    /// <c>--min-value</c> as positives of value 1, then repeats merged by <c>--duplicates</c>.
    /// </summary>
    /// <exception cref="UsageException"><c>--min-value</c> keeps no row.</exception>
    /// <exception cref="DataFormatException">The file is malformed, or a pair repeats under <c>--duplicates reject</c>.</exception>
    public LoadedTable Read(ParseResult parse, string path, string option, bool positives, bool valueOptional, CancellationToken cancellation, bool counts = false, int timeColumn = -1)
    {
        var table = RatingFileReader.Read(path, FormatOf(parse, path, option, valueOptional) with { TimeColumn = timeColumn }, cancellation);
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

    private RatingFileFormat FormatOf(ParseResult parse, string path, string option, bool valueOptional)
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
        if (parse.GetValue(ValueRange) is { } range)
        {
            format = format with { MinValue = range.Min, MaxValue = range.Max };
        }
        return format with { ValueOptional = valueOptional };
    }

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
