using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace GpuMF.Data;

/// <summary>
/// Streams a delimited ratings file into a <see cref="RatingTable"/>: bytes are parsed in place from a
/// buffered stream, so no line strings are made, and a string id becomes a string only the first time it is
/// seen (<see cref="RatingTable.UserNames"/>). Fields in double quotes may hold the delimiter and doubled quotes
/// (RFC 4180), though not line ends. Errors name the file, the line and the field.
/// For Parquet files as well, see <see cref="InteractionFile"/>.
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
    /// <exception cref="DataFormatException">A line is malformed: wrong field count, an id that is empty, not an integer where integers are read, or of the other kind than its column's first (<see cref="IdType.Auto"/>), a non-numeric, non-finite or out-of-range value, a time that is not an integer, a quote not closed; or a column named is not in the header; or the file holds no data; or the path is a directory.</exception>
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
            table = new RatingTable(IdKind.Numeric, IdKind.Numeric, times: format.ReadsTimes);
            Read(stream, path, format, table, cancellation);
            table.TrimExcess();
        }
        else
        {
            var chunks = new ChunkSink(format.ReadsTimes);
            Parse(stream, path, format, chunks, cancellation);
            table = chunks.ToTable();
        }
        if (table.Count == 0)
        {
            throw new DataFormatException(path, 0, $"the file holds no {format.Labels.Rows}.");
        }
        return table;
    }

    /// <summary>
    /// Reads rows from <paramref name="stream"/> into <paramref name="table"/>; <paramref name="name"/> is used in errors.
    /// Where the stream can seek, the table is grown ahead to the rows expected in the rest of the stream,
    /// from the line ends per byte in samples spread over it, rather than by halves. A column the table holds as
    /// strings is read as strings; one of integers, as integers once the table holds rows; an empty table's
    /// integer column takes the kind the format gives or, under <see cref="IdType.Auto"/>, the first row's.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="format"/> reads times and <paramref name="table"/> keeps none, or the other way round; or a column of the table holds ids of the other kind than the format asks for.</exception>
    /// <exception cref="DataFormatException">A line is malformed (see <see cref="Read(string, RatingFileFormat?, CancellationToken)"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled (checked before each megabyte read).</exception>
    public static void Read(Stream stream, string name, RatingFileFormat format, RatingTable table, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(table);
        format.Validate();
        if (table.HasTimes != format.ReadsTimes)
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
        var parser = new LineParser(name, format, sink.First);
        bool headerUndecided = format.DetectHeader && !format.HasHeader && !format.FindsColumnsByName;
        bool headerPending = format.FindsColumnsByName;
        long consumed = 0;
        var buffer = new byte[BufferSize];
        int filled = 0;
        long lineNo = 0;
        bool atStart = true;
        bool whitespace = format.SplitsOnWhitespace;
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
                if (line.IsEmpty)
                {
                    continue;
                }
                if (headerPending)
                {
                    headerPending = false;
                    parser.FindColumns(line, lineNo);
                    continue;
                }
                if (lineNo == 1 && format.HasHeader)
                {
                    continue;
                }
                if (headerUndecided)
                {
                    headerUndecided = false;
                    if (parser.IsHeader(line, lineNo))
                    {
                        continue;
                    }
                }
                parser.Parse(line, lineNo, out long user, out long item, out float value, out long time);
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
        /// <summary>The table rows go to first, whose string-id columns hold the names of all rows.</summary>
        RatingTable First { get; }

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
        public RatingTable First => table;

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
    private sealed class ChunkSink : IRowSink
    {
        private const int ChunkRows = 1 << 20;
        private readonly List<RatingTable> _chunks;
        private readonly bool _times;
        private long _rows;

        public ChunkSink(bool times)
        {
            _times = times;
            _chunks = [new RatingTable(IdKind.Numeric, IdKind.Numeric, 1024, times)];
        }

        public RatingTable First => _chunks[0];

        public void Add(long user, long item, float value, long time)
        {
            if (_chunks[^1].Count == _chunks[^1].Capacity)
            {
                RatingTable.CheckFits(_rows + 1);
                _chunks.Add(_chunks[0].EmptyLike((int)Math.Clamp(_rows, 1024, ChunkRows)));
            }
            if (_times)
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

    /// <summary>
    /// How one id column is read: its kind, once known (from the format, the table, or the first row when
    /// <see cref="IdType.Auto"/>), and for string ids the names they are interned in.
    /// </summary>
    private sealed class IdColumn(string what, IdType type)
    {
        public string What { get; } = what;

        public IdType Type { get; } = type;

        /// <summary>True once the column's kind is known.</summary>
        public bool Decided { get; set; } = type != IdType.Auto;

        /// <summary>True when the column holds string ids.</summary>
        public bool Text { get; set; } = type == IdType.Text;

        /// <summary>The line whose id decided an automatic column's kind, and that id, for errors on the other kind.</summary>
        public long KindLine { get; set; }

        public string KindSample { get; set; } = "";

        public IdMap? Names { get; set; }

        /// <summary>The id being looked up, as characters.</summary>
        public char[] Chars { get; set; } = new char[128];
    }

    /// <summary>
    /// Splits lines into fields (a field in double quotes may hold the delimiter and doubled quotes) and parses
    /// the fields of the columns read; unread fields after the last column read are not looked at.
    /// </summary>
    private sealed class LineParser
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly string _name;
        private readonly RatingFileFormat _format;
        private readonly RatingTable _table;
        private readonly byte[] _delimiter;
        private readonly bool _whitespace;
        private readonly IdColumn _users;
        private readonly IdColumn _items;
        private byte[] _unquoted = new byte[128];
        private int _userColumn;
        private int _itemColumn;
        private int _valueColumn;
        private int _timeColumn;
        private int _needed;

        /// <param name="name">The file, for errors.</param>
        /// <param name="format">The layout.</param>
        /// <param name="table">The table (or first chunk) rows go to, whose string-id columns hold the names.</param>
        public LineParser(string name, RatingFileFormat format, RatingTable table)
        {
            _name = name;
            _format = format;
            _table = table;
            _delimiter = Encoding.UTF8.GetBytes(format.Delimiter);
            _whitespace = format.SplitsOnWhitespace;
            _users = Column(format.Labels.User, format.UserIdType ?? format.IdType, table.UserNames, table);
            _items = Column(format.Labels.Item, format.ItemIdType ?? format.IdType, table.ItemNames, table);
            if (_users.Text && _users.Names is null)
            {
                UseNames(_users);
            }
            if (_items.Text && _items.Names is null)
            {
                UseNames(_items);
            }
            SetColumns(format.UserColumn, format.ItemColumn, format.ValueColumn, format.TimeColumn);
        }

        /// <summary>The column's reading, agreed with what the table holds already.</summary>
        /// <exception cref="ArgumentException">The table's column holds ids of the other kind than the format asks for.</exception>
        private static IdColumn Column(string what, IdType type, IdMap? names, RatingTable table)
        {
            if (names is not null)
            {
                if (type == IdType.Numeric)
                {
                    throw new ArgumentException($"The table's {what}s are strings, but the format reads integers.", nameof(table));
                }
                return new IdColumn(what, IdType.Text) { Names = names };
            }
            if (table.Count > 0)
            {
                if (type == IdType.Text)
                {
                    throw new ArgumentException($"The table's {what}s are integers, but the format reads strings.", nameof(table));
                }
                return new IdColumn(what, IdType.Numeric);
            }
            return new IdColumn(what, type);
        }

        private void SetColumns(int user, int item, int value, int time)
        {
            _userColumn = user;
            _itemColumn = item;
            _valueColumn = value;
            _timeColumn = time;
            _needed = Math.Max(Math.Max(user, item), Math.Max(value, time)) + 1;
        }

        private void UseNames(IdColumn column)
        {
            bool users = ReferenceEquals(column, _users);
            _table.UseNames(users, !users);
            column.Names = users ? _table.UserNames : _table.ItemNames;
        }

        /// <summary>Finds the columns named by the format in the header <paramref name="line"/>.</summary>
        /// <exception cref="DataFormatException">A column named is not in the header, or two names find the same column.</exception>
        public void FindColumns(ReadOnlySpan<byte> line, long lineNo)
        {
            var names = new List<string>();
            var rest = line;
            bool last = false;
            while (!last)
            {
                var text = NextField(ref rest, out last, out _, lineNo);
                names.Add(Encoding.UTF8.GetString(text.Trim((byte)' ')));
            }
            int Find(string? name, IReadOnlyList<string> defaults, bool required, string what)
            {
                foreach (string candidate in name is null ? defaults : [name])
                {
                    int at = names.FindIndex(n => string.Equals(n, candidate, StringComparison.OrdinalIgnoreCase));
                    if (at >= 0)
                    {
                        return at;
                    }
                }
                if (!required)
                {
                    return -1;
                }
                string sought = string.Join("' or '", name is null ? defaults : [name]);
                throw new DataFormatException(_name, lineNo, $"the header has no {what} column '{sought}'; its columns are: {string.Join(", ", names.Select(n => $"'{Printable(n)}'"))}.");
            }
            int user = Find(_format.UserName, [RatingFileFormat.DefaultUserName], true, "user");
            int item = Find(_format.ItemName, [RatingFileFormat.DefaultItemName], true, "item");
            int value = Find(_format.ValueName, RatingFileFormat.DefaultValueNames, _format.ValueName is not null, "value");
            int time = _format.TimeName is null ? -1 : Find(_format.TimeName, [], true, "time");
            int[] found = [user, item, value, time];
            for (int a = 0; a < found.Length; a++)
            {
                for (int b = a + 1; b < found.Length; b++)
                {
                    if (found[a] >= 0 && found[a] == found[b])
                    {
                        throw new DataFormatException(_name, lineNo, $"two of the columns asked for are the same header column '{Printable(names[found[a]])}'.");
                    }
                }
            }
            SetColumns(user, item, value, time);
        }

        /// <summary>
        /// A first line is a header when its id fields are not numbers and, where it has one, neither is its value
        /// field: column names such as <c>userId,movieId,rating</c>. A line with a numeric id or value is data (string
        /// ids come with numeric values), and its errors are reported as such. A two-column line of names is taken
        /// for a header, so a file of string-id pairs without one needs <see cref="RatingFileFormat.HasHeader"/> false
        /// and <see cref="RatingFileFormat.DetectHeader"/> false.
        /// </summary>
        public bool IsHeader(ReadOnlySpan<byte> line, long lineNo)
        {
            bool userIsName = false, itemIsName = false, valueIsNumber = false;
            int field = 0;
            var rest = line;
            bool last = false;
            while (!last)
            {
                var text = NextField(ref rest, out last, out _, lineNo).Trim((byte)' ');
                bool name = !(Utf8Parser.TryParse(text, out double _, out int used) && used == text.Length);
                userIsName |= field == _userColumn && name;
                itemIsName |= field == _itemColumn && name;
                valueIsNumber |= field == _valueColumn && !name;
                field++;
            }
            return userIsName && itemIsName && !valueIsNumber;
        }

        public void Parse(ReadOnlySpan<byte> line, long lineNo, out long user, out long item, out float value, out long time)
        {
            user = 0;
            item = 0;
            value = 1f;
            time = 0;
            int field = 0;
            var rest = line;
            bool last = false;
            while (!last && field < _needed)
            {
                var text = NextField(ref rest, out last, out bool quoted, lineNo);
                if (field == _userColumn)
                {
                    user = Id(_users, text, quoted, lineNo, field);
                }
                else if (field == _itemColumn)
                {
                    item = Id(_items, text, quoted, lineNo, field);
                }
                else if (field == _valueColumn)
                {
                    value = ParseValue(text, _name, lineNo, field, _format.Labels.Value);
                    if (value < _format.MinValue || value > _format.MaxValue)
                    {
                        throw new DataFormatException(_name, lineNo, $"field {field + 1} ({_format.Labels.Value}) {value.ToString(CultureInfo.InvariantCulture)} is outside the declared range {_format.MinValue.ToString(CultureInfo.InvariantCulture)}..{_format.MaxValue.ToString(CultureInfo.InvariantCulture)}.");
                    }
                }
                else if (field == _timeColumn)
                {
                    time = ParseTime(text, _name, lineNo, field);
                }
                field++;
            }
            // A line without its value is a positive (value 1) where the value is optional, as long as it has both ids.
            bool valueMissingOnly = _format.ValueOptional && field > Math.Max(Math.Max(_userColumn, _itemColumn), _timeColumn);
            if (field < _needed && !valueMissingOnly)
            {
                string separator = _whitespace ? "spaces or tabs" : $"'{Printable(_delimiter)}'";
                throw new DataFormatException(_name, lineNo, $"expected at least {_needed} fields separated by {separator}, found {field}: '{Preview(line)}'.");
            }
        }

        /// <summary>
        /// Cuts the next field off <paramref name="rest"/>: up to the delimiter, or, for a field that opens with a
        /// double quote, up to the closing quote, doubled quotes read as one (RFC 4180). <paramref name="last"/>
        /// is set when no field follows.
        /// </summary>
        /// <exception cref="DataFormatException">A quote is not closed on its line, or text follows a closing quote.</exception>
        private ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest, out bool last, out bool quoted, long lineNo)
        {
            // Most fields open with neither a quote nor a space: one byte tells.
            int open = rest.IsEmpty || rest[0] != (byte)' ' ? 0 : rest.IndexOfAnyExcept((byte)' ');
            quoted = open >= 0 && open < rest.Length && rest[open] == (byte)'"';
            if (!quoted)
            {
                int cut = _whitespace ? rest.IndexOfAny(Blanks) : rest.IndexOf(_delimiter);
                last = cut < 0;
                if (last)
                {
                    return rest;
                }
                var field = rest[..cut];
                rest = _whitespace ? rest[cut..].TrimStart(Blanks) : rest[(cut + _delimiter.Length)..];
                return field;
            }
            var inside = rest[(open + 1)..];
            int length = 0;
            bool copied = false;
            while (true)
            {
                int quote = inside.IndexOf((byte)'"');
                if (quote < 0)
                {
                    throw new DataFormatException(_name, lineNo, $"a quoted field is not closed: '{Preview(rest)}' (a quote inside a quoted field is written twice, \"\").");
                }
                bool doubled = quote + 1 < inside.Length && inside[quote + 1] == (byte)'"';
                if (!doubled && !copied)
                {
                    var content = inside[..quote];
                    rest = AfterClosingQuote(inside[(quote + 1)..], out last, lineNo);
                    return content;
                }
                if (_unquoted.Length < length + quote + 1)
                {
                    Array.Resize(ref _unquoted, Math.Max(_unquoted.Length * 2, length + quote + 1));
                }
                inside[..quote].CopyTo(_unquoted.AsSpan(length));
                length += quote;
                copied = true;
                if (!doubled)
                {
                    rest = AfterClosingQuote(inside[(quote + 1)..], out last, lineNo);
                    return _unquoted.AsSpan(0, length);
                }
                _unquoted[length++] = (byte)'"';
                inside = inside[(quote + 2)..];
            }
        }

        private ReadOnlySpan<byte> AfterClosingQuote(ReadOnlySpan<byte> after, out bool last, long lineNo)
        {
            var trimmed = after.TrimStart(_whitespace ? Blanks : " "u8);
            last = trimmed.IsEmpty;
            if (last)
            {
                return trimmed;
            }
            if (_whitespace)
            {
                if (trimmed.Length < after.Length)
                {
                    return trimmed;
                }
            }
            else if (trimmed.StartsWith(_delimiter))
            {
                return trimmed[_delimiter.Length..];
            }
            throw new DataFormatException(_name, lineNo, $"text follows a closing quote: '{Preview(after)}' (a quote inside a quoted field is written twice, \"\").");
        }

        private long Id(IdColumn column, ReadOnlySpan<byte> text, bool quoted, long lineNo, int field)
        {
            if (!quoted)
            {
                text = text.Trim((byte)' ');
            }
            if (!column.Text)
            {
                if (Utf8Parser.TryParse(text, out long id, out int used) && used == text.Length)
                {
                    if (!column.Decided)
                    {
                        Decide(column, text: false, text, lineNo);
                    }
                    return id;
                }
                bool spaced = !quoted && !_whitespace && text.Contains((byte)' ');
                if (column.Decided || text.IsEmpty || spaced)
                {
                    throw NotAnInteger(column, text, spaced, lineNo, field);
                }
                Decide(column, text: true, text, lineNo);
            }
            return Intern(column, text, lineNo, field);
        }

        private void Decide(IdColumn column, bool text, ReadOnlySpan<byte> id, long lineNo)
        {
            column.Decided = true;
            column.Text = text;
            column.KindLine = lineNo;
            column.KindSample = Preview(id);
            if (text)
            {
                UseNames(column);
            }
        }

        /// <summary>The index of string id <paramref name="text"/> in the column's names; a string is made only for a new id.</summary>
        private int Intern(IdColumn column, ReadOnlySpan<byte> text, long lineNo, int field)
        {
            if (text.IsEmpty)
            {
                throw new DataFormatException(_name, lineNo, $"field {field + 1} ({column.What}) is empty.");
            }
            if (column.Chars.Length < text.Length)
            {
                column.Chars = new char[Math.Max(text.Length, column.Chars.Length * 2)];
            }
            int length;
            try
            {
                length = StrictUtf8.GetChars(text, column.Chars);
            }
            catch (DecoderFallbackException)
            {
                throw new DataFormatException(_name, lineNo, $"field {field + 1} ({column.What}) '{Preview(text)}' is not valid UTF-8.");
            }
            var chars = column.Chars.AsSpan(0, length);
            var names = column.Names!;
            if (names.TryGetIndex(chars, out int index))
            {
                return index;
            }
            // Only a new id can be of the other kind: every id mapped was checked when it was added.
            if (column.Type == IdType.Auto && Utf8Parser.TryParse(text, out long _, out int used) && used == text.Length)
            {
                throw new DataFormatException(_name, lineNo,
                    $"field {field + 1} ({column.What}) '{Preview(text)}' is an integer, but this column's ids are strings since line {column.KindLine} ('{column.KindSample}'): {MixedHint}");
            }
            return names.GetOrAdd(new string(chars));
        }

        private DataFormatException NotAnInteger(IdColumn column, ReadOnlySpan<byte> text, bool spaced, long lineNo, int field)
        {
            string problem = $"field {field + 1} ({column.What}) '{Preview(text)}' is not an integer";
            if (text.IsEmpty)
            {
                return new DataFormatException(_name, lineNo, $"field {field + 1} ({column.What}) is empty.");
            }
            if (spaced)
            {
                // Spaces inside an id field mean the file is separated by spaces, not by the delimiter expected.
                return new DataFormatException(_name, lineNo, $"{problem} (it holds spaces: read a file separated by spaces as whitespace-separated, gpumf --format whitespace; ids that hold spaces need --id-type string).");
            }
            if (column.Type == IdType.Auto)
            {
                return new DataFormatException(_name, lineNo, $"{problem}, but this column's ids are integers since line {column.KindLine} ('{column.KindSample}'): {MixedHint}");
            }
            return new DataFormatException(_name, lineNo, $"{problem}.");
        }

        private const string MixedHint = "a column that mixes integer and string ids must be read as strings (gpumf --id-type string, IdType.Text).";
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

    private static float ParseValue(ReadOnlySpan<byte> text, string name, long lineNo, int field, string what)
    {
        text = text.Trim((byte)' ');
        // Whole-star ratings and counts are the usual values: an integer of up to 7 digits is exact in a float.
        if (text.Length is > 0 and <= 7 && Utf8Parser.TryParse(text, out int whole, out int used) && used == text.Length)
        {
            return whole;
        }
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
        {
            throw new DataFormatException(name, lineNo, $"field {field + 1} ({what}) '{Preview(text)}' is not a number.");
        }
        if (!float.IsFinite(v))
        {
            throw new DataFormatException(name, lineNo, $"field {field + 1} ({what}) '{Preview(text)}' is not finite.");
        }
        return v;
    }

    private static string Printable(byte[] delimiter) => Printable(Encoding.UTF8.GetString(delimiter));

    private static string Printable(string text) => text.Replace("\t", "\\t");

    private static string Preview(ReadOnlySpan<byte> text) => Printable(Encoding.UTF8.GetString(text.Length > 80 ? text[..80] : text));
}
