using System.Text;

namespace GpuMF.Data;

/// <summary>
/// Reads text lines as <see cref="TextReader.ReadLine"/> does ("\n", "\r\n" and "\r" end a line), but refuses
/// a line longer than <see cref="MaxLineLength"/> characters, naming the file and the line, so that a file
/// without line ends (<c>/dev/zero</c>, a binary file given by mistake) cannot fill memory.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>The longest line accepted, in characters (as the ratings reader accepts 1 MiB).</summary>
    public const int MaxLineLength = 1 << 20;

    private readonly TextReader _reader;
    private readonly string _name;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _line = new();
    private int _pos;
    private int _end;
    private bool _afterCarriageReturn;

    /// <summary>Reads from <paramref name="reader"/>, which it disposes; <paramref name="name"/> appears in errors.</summary>
    public LineReader(TextReader reader, string name)
    {
        _reader = reader;
        _name = name;
    }

    /// <summary>The 1-based number of the last line returned; 0 before the first.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its line end, or null at the end of the input.</summary>
    /// <exception cref="DataFormatException">The line is longer than <see cref="MaxLineLength"/> characters.</exception>
    public string? ReadLine()
    {
        _line.Clear();
        bool any = false;
        while (true)
        {
            if (_pos == _end)
            {
                _pos = 0;
                _end = _reader.Read(_buffer);
                if (_end == 0)
                {
                    return any ? Finish() : null;
                }
            }
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (_buffer[_pos] == '\n')
                {
                    _pos++;
                    continue;
                }
            }
            any = true;
            var span = _buffer.AsSpan(_pos, _end - _pos);
            int cut = span.IndexOfAny('\r', '\n');
            int take = cut < 0 ? span.Length : cut;
            if (_line.Length + take > MaxLineLength)
            {
                throw new DataFormatException(_name, LineNumber + 1, $"line longer than {MaxLineLength} characters.");
            }
            _line.Append(span[..take]);
            _pos += take;
            if (cut >= 0)
            {
                _afterCarriageReturn = _buffer[_pos] == '\r';
                _pos++;
                return Finish();
            }
        }
    }

    public void Dispose() => _reader.Dispose();

    private string Finish()
    {
        LineNumber++;
        return _line.ToString();
    }
}
