namespace GpuMF.Data;

/// <summary>A data file that cannot be read: the message names the file, the line and the field.</summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the error for <paramref name="file"/> at 1-based <paramref name="line"/>.</summary>
    public DataFormatException(string file, long line, string problem)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string File { get; }

    /// <summary>The 1-based line number, or 0 when the problem is the file as a whole.</summary>
    public long Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
