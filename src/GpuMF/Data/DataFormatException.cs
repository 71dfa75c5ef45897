namespace GpuMF.Data;

/// <summary>
/// A data file that cannot be read: the message names the file and where in it the problem lies, the line and
/// the field of a delimited file, or the row group and the column of a Parquet file.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the error for <paramref name="file"/> at 1-based <paramref name="line"/> (0: the file as a whole).</summary>
    public DataFormatException(string file, long line, string problem)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>
    /// Creates the error for column <paramref name="column"/> of 0-based row group <paramref name="rowGroup"/> of
    /// a Parquet file; the message reads <c>FILE: row group G, column 'C': PROBLEM</c>.
    /// </summary>
    public DataFormatException(string file, int rowGroup, string column, string problem)
        : base($"{file}: row group {rowGroup}, column '{column}': {problem}")
    {
        File = file;
        RowGroup = rowGroup;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string File { get; }

    /// <summary>The 1-based line number, or 0 when the problem is the file as a whole or lies in a Parquet row group.</summary>
    public long Line { get; }

    /// <summary>The 0-based Parquet row group at fault, or -1 when none is.</summary>
    public int RowGroup { get; } = -1;

    /// <summary>The Parquet column at fault, or null when none is.</summary>
    public string? Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
