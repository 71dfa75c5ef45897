using GpuMF.Data;

namespace GpuMF.Cli;

/// <summary>
/// The external ids a scoring job runs for, read as text and resolved with the model's id map
/// (<see cref="IdMap.TryFind"/>: strings as they are, integers parsed), in chunks of dense indices so that a
/// list of any length streams through: every id of a model, ids given inline ("1,2,3"; for a model of string
/// ids any text that names no file, "u1,u2"), or a file with one id per line (blank lines are skipped; in
/// CSV/TSV lines only the first field is read, trimmed; a first line that is a column name rather than an id
/// is a header: for integer ids one that is not a number, for string ids one the model does not know that
/// reads user, item, id or the like; a line longer than <see cref="LineReader.MaxLineLength"/> characters is
/// an error). Ids holding commas, tabs or surrounding blanks cannot be given this way.
/// </summary>
internal sealed class QueryIdReader : IDisposable
{
    private readonly IdMap _known;
    private readonly string _what;
    private readonly string _option;
    private readonly IReadOnlyList<string>? _inline;
    private readonly string? _path;
    private readonly LineReader? _file;
    private readonly bool _skipUnknown;
    private readonly bool _all;
    private long _from;
    private long _to = long.MaxValue;

    private QueryIdReader(IdMap known, string what, string option, IReadOnlyList<string>? inline, string? path, LineReader? file, bool skipUnknown, bool all = false)
    {
        _known = known;
        _what = what;
        _option = option;
        _inline = inline;
        _path = path;
        _file = file;
        _skipUnknown = skipUnknown;
        _all = all;
    }

    /// <summary>Ids left out because the model does not know them (with <c>--skip-unknown</c>).</summary>
    public long Skipped { get; private set; }

    /// <summary>How many ids there are to score, or at most, for a file (its line count); 0 when unknown (a pipe).</summary>
    public long Total { get; private set; }

    /// <summary>
    /// Reads <paramref name="spec"/>: <c>all</c>, comma-separated ids, or a file path.
    /// </summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="known">The ids of the model, which resolve the ids read.</param>
    /// <param name="what">user or item, for messages.</param>
    /// <param name="option">The option that gave <paramref name="spec"/> (<c>--users</c>), for messages.</param>
    /// <param name="skipUnknown">Skip unknown ids instead of failing.</param>
    /// <param name="allowAll">Whether <c>all</c> means every id of <paramref name="known"/> (not for an allow- or deny-list).</param>
    /// <exception cref="UsageException"><paramref name="spec"/> is a list with no id.</exception>
    public static QueryIdReader Parse(string spec, IdMap known, string what, string option, bool skipUnknown, bool allowAll = true)
    {
        if (spec == "all")
        {
            return allowAll
                ? new QueryIdReader(known, what, option, null, null, null, skipUnknown, all: true) { Total = known.Count }
                : throw new UsageException($"{option}: 'all' is not a list of {what} ids here.");
        }
        if (Inline(spec, what, option, anyText: false) is { } ids)
        {
            return new QueryIdReader(known, what, option, ids, null, null, skipUnknown) { Total = ids.Count };
        }
        if (Directory.Exists(spec))
        {
            throw new DataFormatException(spec, 0, $"is a directory, not a list of {what} ids (give all, comma-separated ids, or a file with one id per line).");
        }
        if (!File.Exists(spec))
        {
            // A model of string ids takes any text as ids, so that "u1,u2" need not be written to a file first.
            return known.Kind == IdKind.Text
                ? One(Inline(spec, what, option, anyText: true)!, known, what, option, skipUnknown)
                : throw new FileNotFoundException($"The {what} list {spec} does not exist (give all, comma-separated ids, or a file with one id per line).", spec);
        }
        // The file stays open for the whole job: a pipe can be read only once. Lines are counted up front
        // for the progress figures where the file can be read twice.
        var stream = new FileStream(spec, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long total = 0;
            if (stream.CanSeek)
            {
                using var counter = new LineReader(new StreamReader(stream, leaveOpen: true), spec);
                while (counter.ReadLine() is not null)
                {
                    total++;
                }
                stream.Position = 0;
            }
            return new QueryIdReader(known, what, option, null, spec, new LineReader(new StreamReader(stream), spec), skipUnknown) { Total = total };
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The ids of <paramref name="ids"/>, given on the command line: a single <c>--item</c>, or an inline list.</summary>
    public static QueryIdReader One(IReadOnlyList<string> ids, IdMap known, string what, string option, bool skipUnknown) =>
        new(known, what, option, ids, null, null, skipUnknown) { Total = ids.Count };

    /// <summary>Checks, before any work, an inline list of integer-looking ids: it must hold one at least.</summary>
    /// <exception cref="UsageException">It does not.</exception>
    public static void CheckInline(string spec, string what, string option) => Inline(spec, what, option, anyText: false);

    /// <summary>
    /// The ids of <paramref name="spec"/> when it is an inline list (digits, signs and commas; any text when
    /// <paramref name="anyText"/>), else null.
    /// </summary>
    private static List<string>? Inline(string spec, string what, string option, bool anyText)
    {
        if (spec.Length == 0 || (!anyText && !spec.All(c => char.IsAsciiDigit(c) || c is ',' or '-')))
        {
            return null;
        }
        var ids = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(id => id.Length > 0).ToList();
        // A list of commas alone is a mistake (an empty variable in a script, say), not a request for nothing.
        return ids.Count > 0 ? ids : throw new UsageException($"{option} '{spec}' holds no {what} id: give all, comma-separated ids, or a file with one id per line.");
    }

    /// <summary>
    /// Keeps part <paramref name="part"/> of <paramref name="parts"/> contiguous ranges of the ids given, by their
    /// position (the dense index for <c>all</c>, the entry of an inline list, the line of a file), so that the parts
    /// of the ranks of an MPI job, in rank order, list what one process would.
    /// </summary>
    /// <exception cref="UsageException">The ids come from a stream, whose length cannot be known ahead.</exception>
    public void Keep(int part, int parts)
    {
        if (!_all && _path is not null && Total == 0)
        {
            throw new UsageException($"{_option}: the ranks split the {_what} list by its lines, which a stream cannot tell ahead: give a file, or all.");
        }
        long total = _all ? _known.Count : Total;
        _from = total * part / parts;
        _to = total * (part + 1) / parts;
        Total = _to - _from;
    }

    /// <summary>The dense indices of the known ids, in chunks of at most <paramref name="size"/>.</summary>
    /// <exception cref="DataFormatException">A line is not an id of the model's kind, or an id is unknown (without skipUnknown).</exception>
    public IEnumerable<int[]> Chunks(int size)
    {
        if (_all)
        {
            int end = (int)Math.Min(_known.Count, _to);
            for (int start = (int)_from; start < end; start += size)
            {
                yield return Enumerable.Range(start, Math.Min(size, end - start)).ToArray();
            }
            yield break;
        }
        var chunk = new List<int>(size);
        foreach (var (text, line, position) in Texts())
        {
            if (position < _from || position >= _to)
            {
                continue;
            }
            if (!_known.TryFind(text, out int index))
            {
                if (!_skipUnknown)
                {
                    string where = _path ?? _option;
                    throw new DataFormatException(where, line, $"unknown {_what} {Shown(text)} (the model does not know it; pass --skip-unknown to leave such ids out).");
                }
                Skipped++;
                continue;
            }
            chunk.Add(index);
            if (chunk.Count == size)
            {
                yield return chunk.ToArray();
                chunk.Clear();
            }
        }
        if (chunk.Count > 0)
        {
            yield return chunk.ToArray();
        }
    }

    /// <summary>Every id as text, in order, with no check that the model knows it.</summary>
    /// <exception cref="DataFormatException">A line is not an id of the model's kind.</exception>
    public IEnumerable<string> AllTexts() => Texts().Select(x => x.Text);

    /// <summary>Integers bare, strings quoted, as the ids' kind has them written.</summary>
    private string Shown(string text) => _known.Kind == IdKind.Text ? $"'{text}'" : text;

    /// <summary>Each id given (not for <c>all</c>) as text, with its line (0 inline) and its position (the entry of an inline list, the line of a file, from 0).</summary>
    private IEnumerable<(string Text, long Line, long Position)> Texts()
    {
        if (_path is null)
        {
            for (int i = 0; i < _inline!.Count; i++)
            {
                CheckKind(_inline[i], 0);
                yield return (_inline[i], 0, i);
            }
            yield break;
        }
        while (_file!.ReadLine() is { } text)
        {
            long line = _file.LineNumber;
            var field = text.AsSpan();
            int end = field.IndexOfAny(',', '\t');
            if (end >= 0)
            {
                field = field[..end];
            }
            field = field.Trim();
            if (field.IsEmpty)
            {
                continue;
            }
            string id = field.ToString();
            if (line == 1 && IsHeader(id))
            {
                continue;
            }
            CheckKind(id, line);
            yield return (id, line, line - 1);
        }
    }

    /// <summary>A first line that names the column: not a number (integer ids), or an unknown id that reads like a column name (string ids).</summary>
    private bool IsHeader(string field) =>
        _known.Kind == IdKind.Numeric
            ? !long.TryParse(field, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)
            : !_known.TryFind(field, out _) && field.ToLowerInvariant() is "id" or "user" or "item" or "user_id" or "item_id" or "userid" or "itemid" or "user id" or "item id";

    /// <summary>For integer ids, text that does not parse is an error rather than an unknown id, as a typo in a list usually is.</summary>
    private void CheckKind(string id, long line)
    {
        if (_known.Kind == IdKind.Numeric && !long.TryParse(id, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new DataFormatException(_path ?? _option, line, $"'{id}' is not an integer {_what} id (the model's {_what} ids are integers).");
        }
    }

    public void Dispose() => _file?.Dispose();
}
