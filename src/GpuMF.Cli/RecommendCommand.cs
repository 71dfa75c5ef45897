using System.CommandLine;
using System.Globalization;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf recommend</c>: one user's top N items, as a table — a user of the model (<c>--user</c>), or someone it
/// has never seen described by the items they liked (<c>--liked</c>, folded in by the model's own rule, nothing saved).
/// </summary>
internal sealed class RecommendCommand : CliCommand
{
    private readonly Option<string> _model;
    private readonly Option<string> _user;
    private readonly Option<string> _liked;
    private readonly Option<string> _ratings;
    private readonly Option<int> _n;
    private readonly Option<string> _movies;
    private readonly Option<bool> _includeSeen;
    private readonly Option<bool> _explain;
    private readonly Option<string> _userFeatures;
    private readonly Option<string> _itemFeatures;

    public RecommendCommand()
        : base("recommend", "one user's top N items, as a table (score for many users at once)")
    {
        _model = Add(Opt.Text("--model", "MODEL.gpumf", "the model file", true, "-m"));
        _user = Add(Opt.Text("--user", "ID", "the user's id, as in the training data (or --liked)", false));
        _liked = Add(Opt.Text("--liked", "ID,ID,…", "a new user's items, folded in without retraining (instead of --user)", false));
        _ratings = Add(Opt.Text("--ratings", "R,R,…", "with --liked: the value of each item (default 5 for svd, 1 for the others)", false));
        _n = Add(Opt.Int("--n", "items to list", 10, 1, 100_000, "-n"));
        _movies = Add(Opt.Text("--movies", "FILE", "titles to show: MovieLens movies.dat or u.item", false));
        _includeSeen = Add(Opt.Flag("--include-seen", "keep the items the user had in training (left out by default)"));
        _userFeatures = Add(Opt.Text("--user-features", "DESC|FILE", "a new user described by features alone (models trained with --user-features): name[:weight],… such as gender=F,age=25-34,occupation=programmer, or a feature file, each of whose users gets a list", false));
        _itemFeatures = Add(Opt.Text("--item-features", "DESC", "instead of a user: the users a new item described by features alone would suit best (models trained with --item-features), such as genre=Animation,genre=Children's,genre=Comedy", false));
        _explain = Add(Opt.Flag("--explain", "under each recommendation, the user's three items that weigh most (als: its score taken apart; the others: the most similar of the user's items, so labelled)"));
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string? user = parse.GetValue(_user);
        string? liked = parse.GetValue(_liked);
        string? userFeatures = parse.GetValue(_userFeatures);
        string? itemFeatures = parse.GetValue(_itemFeatures);
        if (new[] { user, liked, userFeatures, itemFeatures }.Count(v => v is not null) != 1)
        {
            throw new UsageException("'recommend' needs one of --user ID, --liked ID,ID,…, --user-features DESC|FILE or --item-features DESC.");
        }
        if ((userFeatures ?? itemFeatures) is not null)
        {
            if (parse.GetValue(_explain) || parse.GetValue(_includeSeen))
            {
                throw new UsageException($"{(parse.GetValue(_explain) ? "--explain" : "--include-seen")} needs a user with items: someone described by features alone has none.");
            }
            var described = FactorModel.Load(parse.GetValue(_model)!);
            var catalog = parse.GetValue(_movies) is { } path ? MovieCatalog.Read(path) : null;
            return userFeatures is not null
                ? ColdStartQueries.RecommendForFeatures(described, userFeatures, parse.GetValue(_n), catalog, cancellation)
                : ColdStartQueries.UsersForItem(described, itemFeatures!, parse.GetValue(_n));
        }
        if (parse.GetValue(_ratings) is not null && liked is null)
        {
            throw new UsageException("--ratings goes with --liked.");
        }
        int n = parse.GetValue(_n);
        var titles = parse.GetValue(_movies) is { } movies ? MovieCatalog.Read(movies) : null;
        var model = FactorModel.Load(parse.GetValue(_model)!);
        cancellation.ThrowIfCancellationRequested();
        IReadOnlyList<ScoredItem> recs;
        string who;
        Func<string, Explanation> explain;
        string Title(string item) => titles is null ? "" : CatalogTitles.Of(titles, item);
        if (user is { } id)
        {
            recs = model.Recommend(id, n, filterSeen: !parse.GetValue(_includeSeen));
            who = $"user {id}";
            explain = item => model.Explain(id, item);
        }
        else
        {
            var items = Ids(liked!, "--liked", model.Items);
            var values = parse.GetValue(_ratings) is { } ratings ? Values(ratings, items.Length) : null;
            float fallback = model.Kind == ModelKind.Svd ? 5f : 1f;
            var unknown = items.Where(i => !model.Items.TryFind(i, out _)).ToList();
            if (unknown.Count == items.Length)
            {
                throw new UsageException($"--liked: the model knows none of these items ({string.Join(", ", unknown.Take(5))}).");
            }
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"--liked: {unknown.Count} item(s) the model does not know left out: {string.Join(", ", unknown.Take(5))}");
            }
            var vector = model.RecalculateUser(items.Select((item, k) => (item, values?[k] ?? fallback)));
            recs = model.Recommend(vector, n);
            explain = item => model.Explain(vector, item);
            who = $"a new user who liked {string.Join(", ", items.Select(i => titles is null ? i : Title(i)))}";
        }
        Console.Out.WriteLine($"Top {recs.Count} for {who}:");
        var rows = new List<string[]>();
        for (int r = 0; r < recs.Count; r++)
        {
            rows.Add([(r + 1).ToString(CultureInfo.InvariantCulture), recs[r].Text, recs[r].Score.ToString("F4", CultureInfo.InvariantCulture), Title(recs[r].Text)]);
            if (parse.GetValue(_explain))
            {
                var why = explain(recs[r].Text);
                string label = why.Exact ? "weight" : "similarity";
                foreach (var reason in why.Reasons)
                {
                    rows.Add(["", "", "", $"  because of {(titles is null ? reason.Text : Title(reason.Text))} ({label} {reason.Score.ToString("F3", CultureInfo.InvariantCulture)})"]);
                }
            }
        }
        Table.Print(["rank", "item", "score", "title"], [.. rows]);
        return 0;
    }

    /// <summary>The ids of a comma-separated list, as text; for a model of integer ids each must be an integer.</summary>
    private static string[] Ids(string text, string option, IdMap items) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries).Select(t => items.Kind == IdKind.Text || long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? t
            : throw new UsageException($"{option} must list integer ids separated by commas (the model's item ids are integers); got '{t}'."))];

    private static float[] Values(string text, int count)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v
            : throw new UsageException($"--ratings must list numbers separated by commas; got '{t}'.")).ToArray();
        return values.Length == count ? values : throw new UsageException($"--ratings lists {values.Length} values for {count} --liked items.");
    }
}
