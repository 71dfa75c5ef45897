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

    /// <summary>
    /// Reads <paramref name="path"/>, the format told by its extension when <paramref name="format"/> is null.
    /// The file is read front to back, so a pipe (<c>/dev/stdin</c>, <c>&lt;(zcat ratings.gz)</c>) serves as well
    /// as a file. The table's arrays end up within a few percent of its rows (20 bytes a row): from a file they
    /// are sized ahead by its length, from a pipe the rows are gathered in chunks and copied once.
    /// </summary>
    /// <exception cref="DataFormatException">A line is malformed: wrong field count, a non-numeric id or value, a non-finite value; or the file holds no data; or the path is a directory.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RatingTable Read(string path, RatingFileFormat? format = null)
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
            table = new RatingTable();
            Read(stream, path, format, table);
            table.TrimExcess();
        }
        else
        {
            var chunks = new ChunkSink();
            Parse(stream, path, format, chunks);
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
    public static void Read(Stream stream, string name, RatingFileFormat format, RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(table);
        long length = stream.CanSeek ? stream.Length - stream.Position : 0;
        double linesPerByte = length > 0 ? LineDensity(stream, length) : 0;
        var sink = new TableSink(table, length, linesPerByte);
        sink.Reserve(table.Count + length * linesPerByte * (1 + 1.0 / 64) + 1024);
        Parse(stream, name, format, sink);
    }

    private static void Parse<TSink>(Stream stream, string name, RatingFileFormat format, TSink sink) where TSink : IRowSink
    {
        byte[] delimiter = Encoding.UTF8.GetBytes(format.Delimiter);
        int needed = Math.Max(format.UserColumn, Math.Max(format.ItemColumn, format.ValueColumn)) + 1;
        long consumed = 0;
        var buffer = new byte[BufferSize];
        int filled = 0;
        long lineNo = 0;
        bool atStart = true;
        while (true)
        {
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
                if (line.IsEmpty || (lineNo == 1 && format.HasHeader))
                {
                    continue;
                }
                ParseLine(line, delimiter, needed, format, name, lineNo, out long user, out long item, out float value);
                sink.Add(user, item, value);
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
        void Add(long user, long item, float value);

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
        public void Add(long user, long item, float value) => table.Add(user, item, value);

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
    private sealed class ChunkSink : IRowSink
    {
        private const int ChunkRows = 1 << 20;
        private readonly List<RatingTable> _chunks = [];
        private long _rows;

        public void Add(long user, long item, float value)
        {
            if (_chunks.Count == 0 || _chunks[^1].Count == _chunks[^1].Capacity)
            {
                RatingTable.CheckFits(_rows + 1);
                _chunks.Add(new RatingTable((int)Math.Clamp(_rows, 1024, ChunkRows)));
            }
            _chunks[^1].Add(user, item, value);
            _rows++;
        }

        public void Consumed(long bytes)
        {
        }

        public RatingTable ToTable() => RatingTable.Concat(_chunks);
    }

    private static void ParseLine(ReadOnlySpan<byte> line, byte[] delimiter, int needed, RatingFileFormat format, string name, long lineNo, out long user, out long item, out float value)
    {
        user = 0;
        item = 0;
        value = 1f;
        int field = 0;
        var rest = line;
        while (true)
        {
            int cut = rest.IndexOf(delimiter);
            var text = cut >= 0 ? rest[..cut] : rest;
            if (field == format.UserColumn)
            {
                user = ParseId(text, name, lineNo, field, "user id");
            }
            else if (field == format.ItemColumn)
            {
                item = ParseId(text, name, lineNo, field, "item id");
            }
            else if (field == format.ValueColumn)
            {
                value = ParseValue(text, name, lineNo, field);
                if (value < format.MinValue || value > format.MaxValue)
                {
                    throw new DataFormatException(name, lineNo, $"field {field + 1} (value) {value.ToString(CultureInfo.InvariantCulture)} is outside the declared range {format.MinValue.ToString(CultureInfo.InvariantCulture)}..{format.MaxValue.ToString(CultureInfo.InvariantCulture)}.");
                }
            }
            field++;
            if (cut < 0)
            {
                break;
            }
            rest = rest[(cut + delimiter.Length)..];
        }
        if (field < needed)
        {
            throw new DataFormatException(name, lineNo, $"expected at least {needed} fields separated by '{Printable(delimiter)}', found {field}: '{Preview(line)}'.");
        }
    }

    private static long ParseId(ReadOnlySpan<byte> text, string name, long lineNo, int field, string what)
    {
        text = text.Trim((byte)' ');
        if (Utf8Parser.TryParse(text, out long id, out int used) && used == text.Length)
        {
            return id;
        }
        throw new DataFormatException(name, lineNo, $"field {field + 1} ({what}) '{Preview(text)}' is not an integer.");
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
