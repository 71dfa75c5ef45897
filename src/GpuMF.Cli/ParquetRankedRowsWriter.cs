using GpuMF.Data;
using GpuMF.TopN;
using Parquet;
using Parquet.Schema;

namespace GpuMF.Cli;

/// <summary>
/// Parquet output of ranked lists through Parquet.Net: four required columns, query id, rank (INT32, 1-based),
/// result id and score (FLOAT), and with titles a fifth, title (string), one row group per chunk of queries. An
/// id column has the model's id kind: INT64 for integer ids, a required UTF-8 string column for string ids.
/// Written front to back, so a pipe serves as well as a file.
/// </summary>
internal sealed class ParquetRankedRowsWriter : IRankedRowsWriter
{
    private readonly Stream _stream;
    private readonly ParquetWriter _writer;
    private readonly IdColumn _query;
    private readonly DataField<int> _rank;
    private readonly IdColumn _result;
    private readonly DataField<float> _score;
    private readonly DataField<string>? _title;
    private readonly Func<int, string>? _titles;
    private bool _closed;
    private int[] _queries = [];
    private int[] _ranks = [];
    private int[] _results = [];
    private float[] _scores = [];

    private ParquetRankedRowsWriter(Stream stream, ParquetWriter writer, IdColumn query, DataField<int> rank, IdColumn result, DataField<float> score, DataField<string>? title, Func<int, string>? titles)
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

    /// <summary>
    /// A writer to <paramref name="stream"/>, which it leaves open, with columns (queryColumn, rank, resultColumn,
    /// score[, title]), the id columns of the kinds of <paramref name="queries"/> and <paramref name="results"/>;
    /// <paramref name="titles"/> gives the title of a dense result index.
    /// </summary>
    public static ParquetRankedRowsWriter Create(Stream stream, string queryColumn, string resultColumn, IdMap queries, IdMap results, Func<int, string>? titles)
    {
        var query = new IdColumn(queryColumn, queries);
        var rank = new DataField<int>("rank");
        var result = new IdColumn(resultColumn, results);
        var score = new DataField<float>("score");
        var title = titles is null ? null : new DataField<string>("title");
        var schema = title is null ? new ParquetSchema(query.Field, rank, result.Field, score) : new ParquetSchema(query.Field, rank, result.Field, score, title);
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
            _queries = new int[total];
            _ranks = new int[total];
            _results = new int[total];
            _scores = new float[total];
        }
        var queries = _queries;
        var ranks = _ranks;
        var results = _results;
        var scores = _scores;
        int at = 0;
        for (int q = 0; q < lists.Count; q++)
        {
            var indices = lists.Indices(q);
            indices.CopyTo(results.AsSpan(at));
            lists.Scores(q).CopyTo(scores.AsSpan(at));
            int query = lists.QueryIndex(q);
            for (int c = 0; c < indices.Length; c++)
            {
                queries[at + c] = query;
                ranks[at + c] = c + 1;
            }
            at += indices.Length;
        }
        using var group = _writer.CreateRowGroup();
        _query.Write(group, queries.AsSpan(0, total));
        group.WriteAsync<int>(_rank, ranks.AsMemory(0, total)).GetAwaiter().GetResult();
        _result.Write(group, results.AsSpan(0, total));
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

    /// <summary>An id column of a map's kind, written from dense indices of the map.</summary>
    private sealed class IdColumn(string name, IdMap map)
    {
        private long[] _ids = [];

        public DataField Field { get; } = map.Kind == IdKind.Text ? new DataField<string>(name, nullable: false) : new DataField<long>(name);

        public void Write(ParquetRowGroupWriter group, ReadOnlySpan<int> indices)
        {
            if (map.Kind == IdKind.Text)
            {
                var names = new string[indices.Length];
                for (int k = 0; k < indices.Length; k++)
                {
                    names[k] = map.Names[indices[k]];
                }
                group.WriteAsync(Field, names).GetAwaiter().GetResult();
                return;
            }
            if (_ids.Length < indices.Length)
            {
                _ids = new long[indices.Length];
            }
            for (int k = 0; k < indices.Length; k++)
            {
                _ids[k] = map[indices[k]];
            }
            group.WriteAsync<long>(Field, _ids.AsMemory(0, indices.Length)).GetAwaiter().GetResult();
        }
    }
}
