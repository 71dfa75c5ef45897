using System.CommandLine;
using System.Globalization;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary><c>gpumf recommend</c>: one user's top N items, as a table.</summary>
internal sealed class RecommendCommand : CliCommand
{
    private readonly Option<string> _model;
    private readonly Option<long?> _user;
    private readonly Option<int> _n;
    private readonly Option<string> _movies;
    private readonly Option<bool> _includeSeen;

    public RecommendCommand()
        : base("recommend", "one user's top N items, as a table (score for many users at once)")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model file", true, "-m"));
        _user = Add(Opt.Id("--user", "the user's id, as in the training data", required: true));
        _n = Add(Opt.Int("--n", "items to list", 10, 1, 100_000, "-n"));
        _movies = Add(Opt.Text("--movies", "FILE", "titles to show: MovieLens movies.dat or u.item", false));
        _includeSeen = Add(Opt.Flag("--include-seen", "keep the items the user had in training (left out by default)"));
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        long user = parse.GetValue(_user)!.Value;
        int n = parse.GetValue(_n);
        var titles = parse.GetValue(_movies) is { } movies ? MovieCatalog.Read(movies) : null;
        var model = FactorModel.Load(parse.GetValue(_model)!);
        cancellation.ThrowIfCancellationRequested();
        var recs = model.Recommend(user, n, filterSeen: !parse.GetValue(_includeSeen));
        Console.Out.WriteLine($"Top {recs.Count} for user {user}:");
        Table.Print(["rank", "item", "score", "title"], [.. recs.Select((r, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), r.Id.ToString(CultureInfo.InvariantCulture), r.Score.ToString("F4", CultureInfo.InvariantCulture), titles?.Title(r.Id) ?? "" })]);
        return 0;
    }
}
