using System.CommandLine;
using System.Globalization;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf similar</c>: the nearest items (cosine of factors) of one item, printed as a table, or with
/// <c>--items</c> or any output or filter option, of many, written as CSV or Parquet like <c>score</c>.
/// </summary>
internal sealed class SimilarCommand : CliCommand
{
    private readonly Option<string> _model;
    private readonly Option<string> _item;
    private readonly Option<string> _items;
    private readonly Option<string> _itemFeatures;
    private readonly Option<int> _n;
    private readonly Option<string> _movies;
    private readonly BatchOutput _output;
    private readonly BackendArguments _backend;

    public SimilarCommand()
        : base("similar", "the items nearest one item (a table) or many (--items: streamed to CSV or Parquet, item,rank,similar,score)")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model file", true, "-m"));
        _item = Add(Opt.Text("--item", "ID", "one item (an id of the model's kind), printed as a table unless an output or filter option is given", false));
        _items = Add(new Option<string>("--items") { Description = "many items: all, comma-separated ids, or a file of one id a line", HelpName = "all|FILE|ID,ID…" });
        _itemFeatures = Add(Opt.Text("--item-features", "DESC", "a new item described by features alone (models trained with --item-features), such as genre=Animation,genre=Children's,genre=Comedy; printed as a table", false));
        _n = Add(Opt.Int("--n", $"neighbours per item (at most {BatchScorer.MaxN} with --items or an output)", 10, 1, 100_000, "-n"));
        _movies = Add(Opt.Text("--movies", "FILE", "titles to show (MovieLens movies.dat or u.item); with many items, a title column", false));
        _output = new BatchOutput(Command, outRequired: false);
        _backend = new BackendArguments(Command);
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string modelPath = parse.GetValue(_model)!;
        string? item = parse.GetValue(_item);
        string? items = parse.GetValue(_items);
        int n = parse.GetValue(_n);
        string? movies = parse.GetValue(_movies);
        if (new[] { item, items, parse.GetValue(_itemFeatures) }.Count(v => v is not null) > 1)
        {
            throw new UsageException("give one of --item, --items and --item-features.");
        }
        if (parse.GetValue(_itemFeatures) is { } description)
        {
            return ColdStartQueries.SimilarToFeatures(FactorModel.Load(modelPath), description, n, movies is null ? null : MovieCatalog.Read(movies));
        }
        string spec = items ?? item ?? throw new UsageException("'similar' needs --item ID, --items all|FILE|ID,ID… or --item-features DESC.");
        bool batch = items is not null || new Option[] { _output.Out, _output.Format, _output.Allow, _output.Deny, _output.SkipUnknown, _output.Chunk }.Any(parse.Given);
        if (!batch)
        {
            var titles = movies is null ? null : MovieCatalog.Read(movies);
            var model = FactorModel.Load(modelPath);
            var sims = model.SimilarItems(item!, n);
            Console.Out.WriteLine($"Items most similar to {item}{(titles is null ? "" : $" ({CatalogTitles.Of(titles, item!)})")}:");
            Table.Print(["rank", "item", "cosine", "title"], [.. sims.Select((r, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), r.Text, r.Score.ToString("F4", CultureInfo.InvariantCulture), titles is null ? "" : CatalogTitles.Of(titles, r.Text) })]);
            return 0;
        }
        if (n > BatchScorer.MaxN)
        {
            throw new UsageException($"--n must be in 1..{BatchScorer.MaxN} with --items or an output; got {n}.");
        }
        if (items is not null)
        {
            QueryIdReader.CheckInline(items, "item", "--items");
        }
        var (output, format) = _output.CheckOutput(parse, ("--model", modelPath), ("--items", items is null or "all" ? null : items), ("--movies", movies));
        using var backend = _backend.Open(parse);
        var catalog = movies is null ? null : MovieCatalog.Read(movies);
        var loaded = FactorModel.Load(modelPath);
        cancellation.ThrowIfCancellationRequested();
        using var queries = items is null
            ? QueryIdReader.One([spec], loaded.Items, "item", "--item", parse.GetValue(_output.SkipUnknown))
            : QueryIdReader.Parse(spec, loaded.Items, "item", "--items", parse.GetValue(_output.SkipUnknown));
        var filter = _output.ReadFilter(parse, loaded);
        using var scorer = BatchScorer.ForSimilarItems(loaded, backend, filter);
        _output.Write(parse, scorer, queries, n, output, format, "item", "similar", catalog is null ? null : CatalogTitles.Of(catalog, loaded.Items), cancellation);
        if (output != OutputPaths.StandardOutput)
        {
            Console.Out.WriteLine($"wrote {output}");
        }
        return 0;
    }
}
