namespace GpuMF.Data;

/// <summary>
/// Which columns of a Parquet file hold the interactions, found by name (case-insensitive), and how ids are read.
/// The defaults read <c>user</c>, <c>item</c> and <c>value</c> or else <c>rating</c> (absent: every row a positive
/// of value 1), and no time.
/// </summary>
public sealed record ParquetColumns
{
    /// <summary>The defaults: columns <c>user</c>, <c>item</c>, <c>value</c> or <c>rating</c>, no time, ids of the kind each column holds.</summary>
    public static ParquetColumns Default { get; } = new();

    /// <summary>Name of the user id column (any integer type or string); null (default) for <c>user</c>.</summary>
    public string? User { get; init; }

    /// <summary>Name of the item id column (any integer type or string); null (default) for <c>item</c>.</summary>
    public string? Item { get; init; }

    /// <summary>Name of the value column (any numeric type), which must then be present; null (default) for <c>value</c> or else <c>rating</c>, or none: every row a positive of value 1.</summary>
    public string? Value { get; init; }

    /// <summary>
    /// True (default) to read a file without a value column as positives of value 1; false to require one (an
    /// explicit model's ratings), a file without it then an error listing the columns present.
    /// </summary>
    public bool ValueOptional { get; init; } = true;

    /// <summary>Name of a time column (any integer type, taken as it is, or a timestamp or date, read as seconds since 1970 UTC), which must then be present; null (default) for no times.</summary>
    public string? Time { get; init; }

    /// <summary>
    /// How ids are read: <see cref="IdType.Auto"/> (default) as the column holds them, integers or strings;
    /// <see cref="IdType.Numeric"/> requires integers (a string column's ids are parsed, each an error when it is not
    /// an integer); <see cref="IdType.Text"/> takes every id as a string (an integer column's in invariant decimal).
    /// </summary>
    public IdType IdType { get; init; }

    /// <summary>How the user column is read, overriding <see cref="IdType"/>; null (default) to follow it.</summary>
    public IdType? UserIdType { get; init; }

    /// <summary>How the item column is read, overriding <see cref="IdType"/>; null (default) to follow it.</summary>
    public IdType? ItemIdType { get; init; }

    /// <summary>Smallest value accepted (inclusive); a value below it is an error naming the row group. Default: no bound.</summary>
    public float MinValue { get; init; } = float.NegativeInfinity;

    /// <summary>Largest value accepted (inclusive); a value above it is an error naming the row group. Default: no bound.</summary>
    public float MaxValue { get; init; } = float.PositiveInfinity;

    /// <summary>
    /// The columns asked for in a delimited <paramref name="format"/>'s names, id types and value range, for the same
    /// options given to either kind of file. The value column is optional where the format's is
    /// (<see cref="RatingFileFormat.ValueOptional"/>, or no value column).
    /// </summary>
    public static ParquetColumns From(RatingFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return new ParquetColumns
        {
            User = format.UserName,
            Item = format.ItemName,
            Value = format.ValueName,
            Time = format.TimeName,
            IdType = format.IdType,
            UserIdType = format.UserIdType,
            ItemIdType = format.ItemIdType,
            MinValue = format.MinValue,
            MaxValue = format.MaxValue,
            ValueOptional = format.ValueOptional || format.ValueColumn < 0,
        };
    }

    /// <summary>Checks the options are usable.</summary>
    /// <exception cref="ArgumentException">A name is blank, or the value range is empty or NaN.</exception>
    public void Validate()
    {
        foreach (var (what, name) in new[] { ("user", User), ("item", Item), ("value", Value), ("time", Time) })
        {
            if (name is not null && string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"The {what} column's name must not be blank.");
            }
        }
        if (!(MinValue <= MaxValue))
        {
            throw new ArgumentException($"Invalid value range {MinValue}..{MaxValue}.");
        }
    }
}
