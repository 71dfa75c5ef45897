using GpuMF.TopN;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Cli;

/// <summary>
/// Parquet output of ranked lists through Parquet.Net: four required columns, query id (INT64), rank
/// (INT32, 1-based), result id (INT64) and score (FLOAT), and with titles a fifth, title (string), one row
/// group per chunk of queries. Written front to back, so a pipe serves as well as a file.
/// </summary>
internal sealed class ParquetRankedRowsWriter : IRankedRowsWriter
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField<long> _query;
    private readonly DataField<int> _rank;
    private readonly DataField<long> _result;
    private readonly DataField<float> _score;
    private readonly DataField<string>? _title;
    private readonly Func<long, string>? _titles;
    private bool _closed;
    private long[] _queries = [];
    private int[] _ranks = [];
    private long[] _results = [];
    private float[] _scores = [];

    private ParquetRankedRowsWriter(Stream stream, ParquetWriter writer, DataField<long> query, DataField<int> rank, DataField<long> result, DataField<float> score, DataField<string>? title, Func<long, string>? titles)
    {
        _stream = stream;
        _writer = writer;
        _query = query;
        _rank = rank;
        _result = result;
        _score = score;
        _title = title;
        _titles = titles;
    }

    /// <summary>A writer to <paramref name="stream"/>, which it leaves open, with columns (queryColumn, rank, resultColumn, score[, title]).</summary>
    public static ParquetRankedRowsWriter Create(Stream stream, string queryColumn, string resultColumn, Func<long, string>? titles)
    {
        var query = new DataField<long>(queryColumn);
        var rank = new DataField<int>("rank");
        var result = new DataField<long>(resultColumn);
        var score = new DataField<float>("score");
        var title = titles is null ? null : new DataField<string>("title");
        var schema = title is null ? new ParquetSchema(query, rank, result, score) : new ParquetSchema(query, rank, result, score, title);
        var writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        return new ParquetRankedRowsWriter(stream, writer, query, rank, result, score, title, titles);
    }

    public void Write(RankedLists lists)
    {
        int total = checked((int)lists.TotalEntries);
        if (total == 0)
        {
            return;
        }
        // The column buffers are kept from chunk to chunk, so that a job allocates them once.
        if (_queries.Length < total)
        {
            _queries = new long[total];
            _ranks = new int[total];
            _results = new long[total];
            _scores = new float[total];
        }
        var queries = _queries;
        var ranks = _ranks;
        var results = _results;
        var scores = _scores;
        int at = 0;
        for (int q = 0; q < lists.Count; q++)
        {
            var ids = lists.Ids(q);
            ids.CopyTo(results.AsSpan(at));
            lists.Scores(q).CopyTo(scores.AsSpan(at));
            for (int c = 0; c < ids.Length; c++)
            {
                queries[at + c] = lists.QueryId(q);
                ranks[at + c] = c + 1;
            }
            at += ids.Length;
        }
        using var group = _writer.CreateRowGroup();
        group.WriteAsync<long>(_query, queries.AsMemory(0, total)).GetAwaiter().GetResult();
        group.WriteAsync<int>(_rank, ranks.AsMemory(0, total)).GetAwaiter().GetResult();
        group.WriteAsync<long>(_result, results.AsMemory(0, total)).GetAwaiter().GetResult();
        group.WriteAsync<float>(_score, scores.AsMemory(0, total)).GetAwaiter().GetResult();
        if (_title is not null)
        {
            var titles = new string[total];
            for (int k = 0; k < total; k++)
            {
                titles[k] = _titles!(results[k]);
            }
            group.WriteAsync(_title, titles).GetAwaiter().GetResult();
        }
    }

    public void Complete()
    {
        Close();
        _stream.Flush();
    }

    public void Dispose() => Close();

    /// <summary>Writes the footer once; the file is readable only after it.</summary>
    private void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
