using System.Globalization;
using System.Text;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// CSV output of ranked lists: a header row naming the columns (e.g. <c>user,rank,item,score</c>), then one
/// row per entry, invariant culture, scores in the shortest form that reads back to the same float; with
/// titles, a fifth column <c>title</c>, quoted as RFC 4180 has it where it holds a comma, a quote or a line end.
/// </summary>
internal sealed class CsvRankedRowsWriter : IRankedRowsWriter
{
    private readonly TextWriter _output;
    private readonly bool _ownsOutput;
    private readonly Func<long, string>? _titles;
    private readonly char[] _line = new char[128];

    /// <param name="output">Where the rows go.</param>
    /// <param name="ownsOutput">Dispose <paramref name="output"/> with the writer.</param>
    /// <param name="queryColumn">Name of the first column (user or item).</param>
    /// <param name="resultColumn">Name of the third column (item, or similar).</param>
    /// <param name="titles">The title of a result id, for a title column; null for none.</param>
    public CsvRankedRowsWriter(TextWriter output, bool ownsOutput, string queryColumn, string resultColumn, Func<long, string>? titles = null)
    {
        _output = output;
        _ownsOutput = ownsOutput;
        _titles = titles;
        _output.Write($"{queryColumn},rank,{resultColumn},score{(titles is null ? "" : ",title")}\n");
    }

    /// <summary>A writer of UTF-8 to <paramref name="stream"/>, which it leaves open.</summary>
    public static CsvRankedRowsWriter Create(Stream stream, string queryColumn, string resultColumn, Func<long, string>? titles) =>
        new(new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true), ownsOutput: true, queryColumn, resultColumn, titles);

    public void Write(RankedLists lists)
    {
        var line = _line.AsSpan();
        for (int q = 0; q < lists.Count; q++)
        {
            long query = lists.QueryId(q);
            var ids = lists.Ids(q);
            var scores = lists.Scores(q);
            for (int c = 0; c < ids.Length; c++)
            {
                int at = 0;
                Append(line, ref at, query);
                line[at++] = ',';
                Append(line, ref at, c + 1);
                line[at++] = ',';
                Append(line, ref at, ids[c]);
                line[at++] = ',';
                scores[c].TryFormat(line[at..], out int written, default, CultureInfo.InvariantCulture);
                at += written;
                if (_titles is not null)
                {
                    _output.Write(line[..at]);
                    _output.Write(',');
                    _output.Write(Quoted(_titles(ids[c])));
                    at = 0;
                }
                line[at++] = '\n';
                _output.Write(line[..at]);
            }
        }
    }

    public void Complete() => _output.Flush();

    public void Dispose()
    {
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }

    private static string Quoted(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static void Append(Span<char> line, ref int at, long value)
    {
        value.TryFormat(line[at..], out int written, default, CultureInfo.InvariantCulture);
        at += written;
    }
}
