using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace GpuMF.Data;

/// <summary>
/// Streams a delimited ratings file into a <see cref="RatingTable"/>: bytes are parsed in place from a
/// buffered stream, so no line strings are made. Errors name the file, the line and the field.
/// </summary>
public static class RatingFileReader
{
    private const int BufferSize = 1 << 20;

    /// <summary>What separates fields of a whitespace-separated file, and is trimmed from its lines' ends.</summary>
    private static ReadOnlySpan<byte> Blanks => " \t"u8;

    /// <summary>
    /// Reads <paramref name="path"/>, the format told by its extension when <paramref name="format"/> is null.
    /// The file is read front to back, so a pipe (<c>/dev/stdin</c>, <c>&lt;(zcat ratings.gz)</c>) serves as well
    /// as a file. The table's arrays end up within a few percent of its rows (20 bytes a row): from a file they
    /// are sized ahead by its length, from a pipe the rows are gathered in chunks and copied once.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its layout; null to tell it from the extension (<see cref="RatingFileFormat.FromFileName"/>).</param>
    /// <param name="cancellation">Checked before each megabyte read, so that a long read stops soon after it is cancelled.</param>
    /// <exception cref="DataFormatException">A line is malformed: wrong field count, a non-numeric id or value, a non-finite value; or the file holds no data; or the path is a directory.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
    public static RatingTable Read(string path, RatingFileFormat? format = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, 0, "is a directory, not a data file.");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
        format ??= RatingFileFormat.FromFileName(path);
        format.Validate();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        RatingTable table;
        if (stream.CanSeek)
        {
            table = new RatingTable(IdKind.Numeric, IdKind.Numeric, times: format.TimeColumn >= 0);
            Read(stream, path, format, table, cancellation);
            table.TrimExcess();
        }
        else
        {
            var chunks = new ChunkSink(format.TimeColumn >= 0);
            Parse(stream, path, format, chunks, cancellation);
            table = chunks.ToTable();
        }
        if (table.Count == 0)
        {
            throw new DataFormatException(path, 0, "the file holds no interactions.");
        }
        return table;
    }

    /// <summary>
    /// Reads rows from <paramref name="stream"/> into <paramref name="table"/>; <paramref name="name"/> is used in errors.
    /// Where the stream can seek, the table is grown ahead to the rows expected in the rest of the stream,
    /// from the line ends per byte in samples spread over it, rather than by halves.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="format"/> has a <see cref="RatingFileFormat.TimeColumn"/> and <paramref name="table"/> keeps no times, or the other way round.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (checked before each megabyte read).</exception>
    public static void Read(Stream stream, string name, RatingFileFormat format, RatingTable table, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(table);
        format.Validate();
        if (table.HasTimes != format.TimeColumn >= 0)
        {
            throw new ArgumentException(table.HasTimes
                ? "The table keeps times but the format names no time column."
                : "The format names a time column but the table keeps no times: create it with times: true.", nameof(table));
        }
        long length = stream.CanSeek ? stream.Length - stream.Position : 0;
        double linesPerByte = length > 0 ? LineDensity(stream, length) : 0;
        var sink = new TableSink(table, length, linesPerByte);
        sink.Reserve(table.Count + length * linesPerByte * (1 + 1.0 / 64) + 1024);
        Parse(stream, name, format, sink, cancellation);
    }

    private static void Parse<TSink>(Stream stream, string name, RatingFileFormat format, TSink sink, CancellationToken cancellation) where TSink : IRowSink
    {
        byte[] delimiter = Encoding.UTF8.GetBytes(format.Delimiter);
        bool whitespace = format.SplitsOnWhitespace;
        int needed = Math.Max(Math.Max(format.UserColumn, format.ItemColumn), Math.Max(format.ValueColumn, format.TimeColumn)) + 1;
        bool headerUndecided = format.DetectHeader && !format.HasHeader;
        long consumed = 0;
        var buffer = new byte[BufferSize];
        int filled = 0;
        long lineNo = 0;
        bool atStart = true;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            bool eof = read == 0;
            int pos = 0;
            var span = buffer.AsSpan(0, filled);
            if (atStart && span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF)
            {
                pos = 3;
            }
            atStart = false;
            while (true)
            {
                int nl = span[pos..].IndexOf((byte)'\n');
                ReadOnlySpan<byte> line;
                if (nl >= 0)
                {
                    line = span.Slice(pos, nl);
                    pos += nl + 1;
                }
                else if (eof && pos < span.Length)
                {
                    line = span[pos..];
                    pos = span.Length;
                }
                else
                {
                    break;
                }
                lineNo++;
                if (line.Length > 0 && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }
                if (whitespace)
                {
                    line = line.Trim(Blanks);
                }
                if (line.IsEmpty || (lineNo == 1 && format.HasHeader))
                {
                    continue;
                }
                if (headerUndecided)
                {
                    headerUndecided = false;
                    if (IsHeader(line, delimiter, whitespace, format))
                    {
                        continue;
                    }
                }
                ParseLine(line, delimiter, whitespace, needed, format, name, lineNo, out long user, out long item, out float value, out long time);
                sink.Add(user, item, value, time);
            }
            if (eof)
            {
                return;
            }
            consumed += pos;
            sink.Consumed(consumed);
            int rest = filled - pos;
            if (rest == buffer.Length)
            {
                throw new DataFormatException(name, lineNo + 1, $"line longer than {BufferSize} bytes.");
            }
            Buffer.BlockCopy(buffer, pos, buffer, 0, rest);
            filled = rest;
        }
    }

    /// <summary>
    /// Line ends per byte in 32 windows of 32 KiB spread evenly over the next <paramref name="length"/> bytes
    /// of <paramref name="stream"/> (all of them when fewer), which is then put back where it was. Samples
    /// from all over the file, since files sorted by user hold their shortest ids first: the first lines
    /// alone would overestimate the rows by up to a quarter.
    /// </summary>
    private static double LineDensity(Stream stream, long length)
    {
        const int Windows = 32;
        const int Window = 1 << 15;
        long start = stream.Position;
        var window = new byte[Window];
        long sampled = 0, lineEnds = 0;
        for (int w = 0; w < Windows && sampled < length; w++)
        {
            long offset = length <= (long)Windows * Window ? sampled : (length - Window) * w / (Windows - 1);
            stream.Position = start + offset;
            int read = stream.ReadAtLeast(window, Window, throwOnEndOfStream: false);
            if (read == 0)
            {
                break;
            }
            lineEnds += window.AsSpan(0, read).Count((byte)'\n');
            sampled += read;
        }
        stream.Position = start;
        return sampled == 0 ? 0 : (double)lineEnds / sampled;
    }

    /// <summary>Where parsed rows go.</summary>
    private interface IRowSink
    {
        /// <summary>Adds a row; <paramref name="time"/> is kept only by a table that keeps times.</summary>
        void Add(long user, long item, float value, long time);

        /// <summary>Told after each buffer the bytes of whole lines consumed so far.</summary>
        void Consumed(long bytes);
    }

    /// <summary>
    /// Rows appended to a table, which, given the stream's length and line ends per byte, has been sized ahead
    /// for the rows expected. Only when its room may not last the next buffer (the estimate fell short) does
    /// it grow, to the rows still expected plus a sixteenth and two buffers' worth, not by half its size, so
    /// that the slack stays small and a poor estimate costs few copies.
    /// </summary>
    private readonly struct TableSink(RatingTable table, long length, double linesPerByte) : IRowSink
    {
        public void Add(long user, long item, float value, long time)
        {
            if (table.HasTimes)
            {
                table.Add(user, item, value, time);
            }
            else
            {
                table.Add(user, item, value);
            }
        }

        public void Consumed(long bytes)
        {
            if (linesPerByte <= 0 || bytes >= length)
            {
                return;
            }
            double next = Math.Min(BufferSize, length - bytes) * linesPerByte;
            if (table.Capacity - table.Count < 1.25 * next + 1024)
            {
                Reserve(table.Count + (length - bytes) * linesPerByte * (1 + 1.0 / 16) + 2 * next + 1024);
            }
        }

        public void Reserve(double rows) => table.EnsureCapacity((int)Math.Min(rows, Array.MaxLength));
    }

    /// <summary>
    /// Rows of a stream of unknown length, gathered in chunks (up to 2²⁰ rows, 20 MiB) and copied once into a
    /// table of the exact size at the end: one table grown by halves would leave up to a third of its arrays
    /// unused, and hold the old arrays beside the new ones at each growth.
    /// </summary>
    private sealed class ChunkSink(bool times) : IRowSink
    {
        private const int ChunkRows = 1 << 20;
        private readonly List<RatingTable> _chunks = [];
        private long _rows;

        public void Add(long user, long item, float value, long time)
        {
            if (_chunks.Count == 0 || _chunks[^1].Count == _chunks[^1].Capacity)
            {
                RatingTable.CheckFits(_rows + 1);
                int capacity = (int)Math.Clamp(_rows, 1024, ChunkRows);
                _chunks.Add(_chunks.Count == 0 ? new RatingTable(IdKind.Numeric, IdKind.Numeric, capacity, times) : _chunks[0].EmptyLike(capacity));
            }
            if (times)
            {
                _chunks[^1].Add(user, item, value, time);
            }
            else
            {
                _chunks[^1].Add(user, item, value);
            }
            _rows++;
        }

        public void Consumed(long bytes)
        {
        }

        public RatingTable ToTable() => RatingTable.Concat(_chunks);
    }

    /// <summary>The start of the field after <paramref name="rest"/>'s first, or -1 when it has one field only.</summary>
    private static int NextCut(ReadOnlySpan<byte> rest, byte[] delimiter, bool whitespace) =>
        whitespace ? rest.IndexOfAny(Blanks) : rest.IndexOf(delimiter);

    /// <summary>What follows the separator found at <paramref name="cut"/>.</summary>
    private static ReadOnlySpan<byte> After(ReadOnlySpan<byte> rest, int cut, byte[] delimiter, bool whitespace) =>
        whitespace ? rest[cut..].TrimStart(Blanks) : rest[(cut + delimiter.Length)..];

    /// <summary>
    /// A first line is a header when it has the id fields and neither is a number: column names such as
    /// <c>userId,movieId</c>. A line with one numeric id is data, and its errors are reported as such.
    /// </summary>
    private static bool IsHeader(ReadOnlySpan<byte> line, byte[] delimiter, bool whitespace, RatingFileFormat format)
    {
        bool userIsName = false, itemIsName = false;
        int field = 0;
        var rest = line;
        while (true)
        {
            int cut = NextCut(rest, delimiter, whitespace);
            var text = (cut >= 0 ? rest[..cut] : rest).Trim((byte)' ');
            bool name = !(Utf8Parser.TryParse(text, out double _, out int used) && used == text.Length);
            userIsName |= field == format.UserColumn && name;
            itemIsName |= field == format.ItemColumn && name;
            field++;
            if (cut < 0)
            {
                return userIsName && itemIsName;
            }
            rest = After(rest, cut, delimiter, whitespace);
        }
    }

    private static void ParseLine(ReadOnlySpan<byte> line, byte[] delimiter, bool whitespace, int needed, RatingFileFormat format, string name, long lineNo, out long user, out long item, out float value, out long time)
    {
        user = 0;
        item = 0;
        value = 1f;
        time = 0;
        int field = 0;
        var rest = line;
        while (true)
        {
            int cut = NextCut(rest, delimiter, whitespace);
            var text = cut >= 0 ? rest[..cut] : rest;
            if (field == format.UserColumn)
            {
                user = ParseId(text, name, lineNo, field, "user id", whitespace);
            }
            else if (field == format.ItemColumn)
            {
                item = ParseId(text, name, lineNo, field, "item id", whitespace);
            }
            else if (field == format.ValueColumn)
            {
                value = ParseValue(text, name, lineNo, field);
                if (value < format.MinValue || value > format.MaxValue)
                {
                    throw new DataFormatException(name, lineNo, $"field {field + 1} (value) {value.ToString(CultureInfo.InvariantCulture)} is outside the declared range {format.MinValue.ToString(CultureInfo.InvariantCulture)}..{format.MaxValue.ToString(CultureInfo.InvariantCulture)}.");
                }
            }
            else if (field == format.TimeColumn)
            {
                time = ParseTime(text, name, lineNo, field);
            }
            field++;
            if (cut < 0)
            {
                break;
            }
            rest = After(rest, cut, delimiter, whitespace);
        }
        // A line without its value is a positive (value 1) where the value is optional, as long as it has both ids.
        bool valueMissingOnly = format.ValueOptional && field > Math.Max(Math.Max(format.UserColumn, format.ItemColumn), format.TimeColumn);
        if (field < needed && !valueMissingOnly)
        {
            string separator = whitespace ? "spaces or tabs" : $"'{Printable(delimiter)}'";
            throw new DataFormatException(name, lineNo, $"expected at least {needed} fields separated by {separator}, found {field}: '{Preview(line)}'.");
        }
    }

    private static long ParseId(ReadOnlySpan<byte> text, string name, long lineNo, int field, string what, bool whitespace)
    {
        text = text.Trim((byte)' ');
        if (Utf8Parser.TryParse(text, out long id, out int used) && used == text.Length)
        {
            return id;
        }
        // Spaces inside an id field mean the file is separated by spaces, not by the delimiter expected.
        string hint = !whitespace && text.Contains((byte)' ') ? " (it holds spaces: read a file separated by spaces as whitespace-separated, gpumf --format whitespace)" : "";
        throw new DataFormatException(name, lineNo, $"field {field + 1} ({what}) '{Preview(text)}' is not an integer{hint}.");
    }

    private static long ParseTime(ReadOnlySpan<byte> text, string name, long lineNo, int field)
    {
        text = text.Trim((byte)' ');
        if (Utf8Parser.TryParse(text, out long time, out int used) && used == text.Length)
        {
            return time;
        }
        throw new DataFormatException(name, lineNo, $"field {field + 1} (time) '{Preview(text)}' is not an integer.");
    }

    private static float ParseValue(ReadOnlySpan<byte> text, string name, long lineNo, int field)
    {
        text = text.Trim((byte)' ');
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
        {
            throw new DataFormatException(name, lineNo, $"field {field + 1} (value) '{Preview(text)}' is not a number.");
        }
        if (!float.IsFinite(v))
        {
            throw new DataFormatException(name, lineNo, $"field {field + 1} (value) '{Preview(text)}' is not finite.");
        }
        return v;
    }

    private static string Printable(byte[] delimiter) => Encoding.UTF8.GetString(delimiter).Replace("\t", "\\t");

    private static string Preview(ReadOnlySpan<byte> text)
    {
        string s = Encoding.UTF8.GetString(text.Length > 80 ? text[..80] : text);
        return s.Replace("\t", "\\t");
    }
}
