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

    /// <summary>Reads <paramref name="path"/>, the format told by its extension when <paramref name="format"/> is null.</summary>
    /// <exception cref="DataFormatException">A line is malformed: wrong field count, a non-numeric id or value, a non-finite value; or the file holds no data.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RatingTable Read(string path, RatingFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        format ??= RatingFileFormat.FromFileName(path);
        format.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var table = new RatingTable((int)Math.Clamp(stream.Length / 16, 1024, int.MaxValue / 2));
        Read(stream, path, format, table);
        if (table.Count == 0)
        {
            throw new DataFormatException(path, 0, "the file holds no interactions.");
        }
        return table;
    }

    /// <summary>Reads rows from <paramref name="stream"/> into <paramref name="table"/>; <paramref name="name"/> is used in errors.</summary>
    public static void Read(Stream stream, string name, RatingFileFormat format, RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(table);
        byte[] delimiter = Encoding.UTF8.GetBytes(format.Delimiter);
        int needed = Math.Max(format.UserColumn, Math.Max(format.ItemColumn, format.ValueColumn)) + 1;
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
                ParseLine(line, delimiter, needed, format, name, lineNo, table);
            }
            if (eof)
            {
                return;
            }
            int rest = filled - pos;
            if (rest == buffer.Length)
            {
                throw new DataFormatException(name, lineNo + 1, $"line longer than {BufferSize} bytes.");
            }
            Buffer.BlockCopy(buffer, pos, buffer, 0, rest);
            filled = rest;
        }
    }

    private static void ParseLine(ReadOnlySpan<byte> line, byte[] delimiter, int needed, RatingFileFormat format, string name, long lineNo, RatingTable table)
    {
        long user = 0, item = 0;
        float value = 1f;
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
        table.Add(user, item, value);
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
