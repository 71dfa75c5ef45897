using GpuMF.TopN;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Cli;

/// <summary>
/// Parquet output of ranked lists through Parquet.Net: four required columns, query id (INT64), rank
/// (INT32, 1-based), result id (INT64) and score (FLOAT), one row group per chunk of queries.
/// </summary>
internal sealed class ParquetRankedRowsWriter : IRankedRowsWriter
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField<long> _query;
    private readonly DataField<int> _rank;
    private readonly DataField<long> _result;
    private readonly DataField<float> _score;
    private bool _closed;
    private long[] _queries = [];
    private int[] _ranks = [];
    private long[] _results = [];
    private float[] _scores = [];

    private ParquetRankedRowsWriter(Stream stream, ParquetWriter writer, DataField<long> query, DataField<int> rank, DataField<long> result, DataField<float> score)
    {
        _stream = stream;
        _writer = writer;
        _query = query;
        _rank = rank;
        _result = result;
        _score = score;
    }

    /// <summary>A writer to a new file at <paramref name="path"/> with columns (queryColumn, rank, resultColumn, score).</summary>
    public static ParquetRankedRowsWriter Create(string path, string queryColumn, string resultColumn)
    {
        var query = new DataField<long>(queryColumn);
        var rank = new DataField<int>("rank");
        var result = new DataField<long>(resultColumn);
        var score = new DataField<float>("score");
        var stream = File.Create(path);
        try
        {
            var writer = ParquetWriter.CreateAsync(new ParquetSchema(query, rank, result, score), stream).GetAwaiter().GetResult();
            return new ParquetRankedRowsWriter(stream, writer, query, rank, result, score);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
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
    }

    public void Complete()
    {
        Close();
        _stream.Flush();
    }

    public void Dispose()
    {
        Close();
        _stream.Dispose();
    }

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
