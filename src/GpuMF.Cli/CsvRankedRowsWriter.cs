using System.Globalization;
using System.Text;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// CSV output of ranked lists: a header row naming the columns (e.g. <c>user,rank,item,score</c>), then one
/// row per entry, invariant culture, scores in the shortest form that reads back to the same float.
/// </summary>
internal sealed class CsvRankedRowsWriter : IRankedRowsWriter
{
    private readonly TextWriter _output;
    private readonly bool _ownsOutput;
    private readonly char[] _line = new char[128];

    /// <param name="output">Where the rows go.</param>
    /// <param name="ownsOutput">Dispose <paramref name="output"/> with the writer.</param>
    /// <param name="queryColumn">Name of the first column (user or item).</param>
    /// <param name="resultColumn">Name of the third column (item, or similar).</param>
    public CsvRankedRowsWriter(TextWriter output, bool ownsOutput, string queryColumn, string resultColumn)
    {
        _output = output;
        _ownsOutput = ownsOutput;
        _output.Write($"{queryColumn},rank,{resultColumn},score\n");
    }

    /// <summary>A writer to a new UTF-8 file at <paramref name="path"/>.</summary>
    public static CsvRankedRowsWriter Create(string path, string queryColumn, string resultColumn) =>
        new(new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16), ownsOutput: true, queryColumn, resultColumn);

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

    private static void Append(Span<char> line, ref int at, long value)
    {
        value.TryFormat(line[at..], out int written, default, CultureInfo.InvariantCulture);
        at += written;
    }
}
