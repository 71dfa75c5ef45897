using System.Globalization;
using GpuMF.Data;

namespace GpuMF.Cli;

/// <summary>
/// The external ids a scoring job runs for, read in chunks so that a list of any length streams through:
/// every id of a model, ids given inline ("1,2,3"), or a file with one id per line (a first line that is
/// not a number is taken for a header; blank lines are skipped; in CSV/TSV lines only the first field is read;
/// a line longer than <see cref="LineReader.MaxLineLength"/> characters is an error).
/// </summary>
internal sealed class QueryIdReader : IDisposable
{
    private readonly IdMap? _known;
    private readonly string _what;
    private readonly string _option;
    private readonly IReadOnlyList<long>? _inline;
    private readonly string? _path;
    private readonly LineReader? _file;
    private readonly bool _skipUnknown;

    private QueryIdReader(IdMap? known, string what, string option, IReadOnlyList<long>? inline, string? path, LineReader? file, bool skipUnknown)
    {
        _known = known;
        _what = what;
        _option = option;
        _inline = inline;
        _path = path;
        _file = file;
        _skipUnknown = skipUnknown;
    }

    /// <summary>Ids left out because the model does not know them (with <c>--skip-unknown</c>).</summary>
    public long Skipped { get; private set; }

    /// <summary>How many ids there are to score, or at most, for a file (its line count); 0 when unknown (a pipe).</summary>
    public long Total { get; private set; }

    /// <summary>
    /// Reads <paramref name="spec"/>: <c>all</c>, comma-separated ids, or a file path.
    /// </summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="known">The ids the model knows; null to take every id as it is.</param>
    /// <param name="what">user or item, for messages.</param>
    /// <param name="option">The option that gave <paramref name="spec"/> (<c>--users</c>), for messages.</param>
    /// <param name="skipUnknown">Skip unknown ids instead of failing.</param>
    /// <exception cref="UsageException"><paramref name="spec"/> is a list with no id, or one that is not an integer.</exception>
    public static QueryIdReader Parse(string spec, IdMap? known, string what, string option, bool skipUnknown)
    {
        if (spec == "all")
        {
            return known is null
                ? throw new UsageException($"{option}: 'all' is not a list of {what} ids here.")
                : new QueryIdReader(known, what, option, known.Ids, null, null, skipUnknown) { Total = known.Count };
        }
        if (Inline(spec, what, option) is { } ids)
        {
            return new QueryIdReader(known, what, option, ids, null, null, skipUnknown) { Total = ids.Count };
        }
        if (Directory.Exists(spec))
        {
            throw new DataFormatException(spec, 0, $"is a directory, not a list of {what} ids (give all, comma-separated ids, or a file with one id per line).");
        }
        if (!File.Exists(spec))
        {
            throw new FileNotFoundException($"The {what} list {spec} does not exist (give all, comma-separated ids, or a file with one id per line).", spec);
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

    /// <summary>Checks, before any work, an inline list of ids: it must hold one at least, each an integer.</summary>
    /// <exception cref="UsageException">It does not.</exception>
    public static void CheckInline(string spec, string what, string option) => Inline(spec, what, option);

    /// <summary>The ids of <paramref name="spec"/> when it is an inline list (digits, signs and commas), else null.</summary>
    private static List<long>? Inline(string spec, string what, string option)
    {
        if (spec.Length == 0 || !spec.All(c => char.IsAsciiDigit(c) || c is ',' or '-'))
        {
            return null;
        }
        var ids = new List<long>();
        foreach (string part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            ids.Add(long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id) ? id : throw new UsageException($"{option}: '{part}' is not an integer {what} id."));
        }
        // A list of commas alone is a mistake (an empty variable in a script, say), not a request for nothing.
        return ids.Count > 0 ? ids : throw new UsageException($"{option} '{spec}' holds no {what} id: give all, comma-separated ids, or a file with one id per line.");
    }

    /// <summary>The known ids in chunks of at most <paramref name="size"/>.</summary>
    /// <exception cref="DataFormatException">A line is not an integer, or an id is unknown (without skipUnknown).</exception>
    public IEnumerable<long[]> Chunks(int size)
    {
        var chunk = new List<long>(size);
        foreach (var (id, line) in Ids())
        {
            if (_known is not null && !_known.TryGetIndex(id, out _))
            {
                if (!_skipUnknown)
                {
                    string where = _path ?? _option;
                    throw new DataFormatException(where, line, $"unknown {_what} {id} (the model does not know it; pass --skip-unknown to leave such ids out).");
                }
                Skipped++;
                continue;
            }
            chunk.Add(id);
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

    /// <summary>Every id, in order, with no check against the model.</summary>
    public IEnumerable<long> AllIds() => Ids().Select(x => x.Id);

    private IEnumerable<(long Id, long Line)> Ids()
    {
        if (_path is null)
        {
            for (int i = 0; i < _inline!.Count; i++)
            {
                yield return (_inline[i], 0);
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
            if (long.TryParse(field, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id))
            {
                yield return (id, line);
            }
            else if (line > 1)
            {
                throw new DataFormatException(_path, line, $"'{field}' is not an integer {_what} id.");
            }
        }
    }

    public void Dispose() => _file?.Dispose();
}
