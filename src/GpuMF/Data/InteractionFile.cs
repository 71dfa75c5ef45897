namespace GpuMF.Data;

/// <summary>
/// The one way in for interaction files of either kind: Parquet (told by a <c>.parquet</c> extension or by the
/// bytes <c>PAR1</c> it starts with), read by <see cref="ParquetRatingReader"/>, or else delimited text, read by
/// <see cref="RatingFileReader"/>.
/// </summary>
public static class InteractionFile
{
    /// <summary>
    /// True when <paramref name="path"/> is to be read as Parquet: its extension is <c>.parquet</c> (any case), or
    /// it is a file of at least 12 bytes that starts with <c>PAR1</c>. Pipes and devices, whose first bytes could
    /// not be read twice, are told by the extension alone.
    /// </summary>
    public static bool IsParquet(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (string.Equals(Path.GetExtension(path), ".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var info = new FileInfo(path);
        if (!info.Exists || info.Length < 12)
        {
            return false;
        }
        Span<byte> head = stackalloc byte[4];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return stream.CanSeek && stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(ParquetRatingReader.Magic);
    }

    /// <summary>Reads the interactions of <paramref name="path"/>, Parquet or delimited (see <see cref="IsParquet"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">A delimited file's layout; null to tell it from the extension. Its names, id types and value range also serve a Parquet file when <paramref name="columns"/> is null.</param>
    /// <param name="columns">A Parquet file's columns; null to take them from <paramref name="format"/>, or the defaults (<see cref="ParquetColumns.Default"/>) when that is null too.</param>
    /// <param name="cancellation">Checked before each megabyte or row group read.</param>
    /// <exception cref="DataFormatException">The file is malformed (see <see cref="RatingFileReader.Read(string, RatingFileFormat?, CancellationToken)"/> and <see cref="ParquetRatingReader.Read"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">A delimited file's extension does not tell its format and none is given.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public static RatingTable Read(string path, RatingFileFormat? format = null, ParquetColumns? columns = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (IsParquet(path))
        {
            return ParquetRatingReader.Read(path, columns ?? (format is null ? ParquetColumns.Default : ParquetColumns.From(format)), cancellation);
        }
        return RatingFileReader.Read(path, format, cancellation);
    }
}
