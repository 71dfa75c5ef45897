using System.Globalization;
using System.Text;
using GpuMF.Data;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// CSV output of ranked lists: a header row naming the columns (e.g. <c>user,rank,item,score</c>), then one
/// row per entry, invariant culture, scores in the shortest form that reads back to the same float; with
/// titles, a fifth column <c>title</c>. String ids and titles are quoted as RFC 4180 has it where they hold a
/// comma, a quote or a line end (and only then), so that a CSV reader gets every id back as it was.
/// </summary>
internal sealed class CsvRankedRowsWriter : IRankedRowsWriter
{
    private readonly TextWriter _output;
    private readonly bool _ownsOutput;
    private readonly Func<int, string>? _titles;
    private readonly char[] _line = new char[128];

    /// <param name="output">Where the rows go.</param>
    /// <param name="ownsOutput">Dispose <paramref name="output"/> with the writer.</param>
    /// <param name="queryColumn">Name of the first column (user or item).</param>
    /// <param name="resultColumn">Name of the third column (item, or similar).</param>
    /// <param name="titles">The title of a dense result index, for a title column; null for none.</param>
    public CsvRankedRowsWriter(TextWriter output, bool ownsOutput, string queryColumn, string resultColumn, Func<int, string>? titles = null)
    {
        _output = output;
        _ownsOutput = ownsOutput;
        _titles = titles;
        _output.Write($"{queryColumn},rank,{resultColumn},score{(titles is null ? "" : ",title")}\n");
    }

    /// <summary>A writer of UTF-8 to <paramref name="stream"/>, which it leaves open.</summary>
    public static CsvRankedRowsWriter Create(Stream stream, string queryColumn, string resultColumn, Func<int, string>? titles) =>
        new(new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true), ownsOutput: true, queryColumn, resultColumn, titles);

    public void Write(RankedLists lists)
    {
        if (lists.Queries.Kind == IdKind.Numeric && lists.Results.Kind == IdKind.Numeric)
        {
            WriteIntegers(lists);
            return;
        }
        var line = _line.AsSpan();
        for (int q = 0; q < lists.Count; q++)
        {
            string query = Quoted(lists.QueryText(q));
            var indices = lists.Indices(q);
            var scores = lists.Scores(q);
            for (int c = 0; c < indices.Length; c++)
            {
                _output.Write(query);
                int at = 0;
                line[at++] = ',';
                Append(line, ref at, c + 1);
                line[at++] = ',';
                _output.Write(line[..at]);
                _output.Write(Quoted(lists.Results.Text(indices[c])));
                EndRow(line, scores[c], indices[c]);
            }
        }
    }

    /// <summary>Rows of integer ids, each made in one buffer and written at once.</summary>
    private void WriteIntegers(RankedLists lists)
    {
        var line = _line.AsSpan();
        for (int q = 0; q < lists.Count; q++)
        {
            long query = lists.QueryId(q);
            var ids = lists.Ids(q);
            var indices = lists.Indices(q);
            var scores = lists.Scores(q);
            for (int c = 0; c < ids.Length; c++)
            {
                int at = 0;
                Append(line, ref at, query);
                line[at++] = ',';
                Append(line, ref at, c + 1);
                line[at++] = ',';
                Append(line, ref at, ids[c]);
                _output.Write(line[..at]);
                EndRow(line, scores[c], indices[c]);
            }
        }
    }

    /// <summary>The score, the title where there are titles, and the line end.</summary>
    private void EndRow(Span<char> line, float score, int result)
    {
        int at = 0;
        line[at++] = ',';
        score.TryFormat(line[at..], out int written, default, CultureInfo.InvariantCulture);
        at += written;
        if (_titles is not null)
        {
            line[at++] = ',';
            _output.Write(line[..at]);
            _output.Write(Quoted(_titles(result)));
            at = 0;
        }
        line[at++] = '\n';
        _output.Write(line[..at]);
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
