using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GpuMF.Als;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.TopN;

namespace GpuMF.Cli;

/// <summary>
/// The README's main job: train on MovieLens 1M on the best backend present and show, as the course
/// notebook did for SVD and for implicit ALS, Toy Story's nearest neighbours and recommendations for a fan
/// of Alien, Die Hard and Star Wars.
/// </summary>
internal sealed class QuickstartCommand : CliCommand
{
    private const long ToyStory = 1;
    private static readonly long[] ActionFan = [1214, 1036, 260];

    private readonly Option<string> _data;
    private readonly Option<int> _n;
    private readonly BackendArguments _backend;
    private readonly ModelArguments _models;

    public QuickstartCommand()
        : base("quickstart", "train svd, als, bpr and warp on MovieLens 1M (downloaded if missing) and show what each recommends")
    {
        _data = Add(Opt.Text("--data", "DIR", "the folder holding ml-1m/ (default: $GPUMF_DATA, else ~/.cache/gpumf, else a download)", false, "-d"));
        _n = Add(Opt.Int("--n", "items in each list", 10, 1, 100, "-n"));
        _backend = new BackendArguments(Command);
        var families = new[] { ModelKind.Svd, ModelKind.Bpr, ModelKind.Warp }.Select(ModelRegistry.Of).ToList();
        _models = new ModelArguments(Command, families, "model options (each applies to every model below that has it; als takes svd's --factors and --seed):");
        Models = _models;
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        string? data = parse.GetValue(_data);
        int n = parse.GetValue(_n);
        var svdOptions = (SvdOptions)_models.Bind(ModelRegistry.Of(ModelKind.Svd), parse, strict: false);
        var alsOptions = AlsOptions.Defaults with { Factors = svdOptions.Factors, Seed = svdOptions.Seed };
        var bprOptions = (BprOptions)_models.Bind(ModelRegistry.Of(ModelKind.Bpr), parse, strict: false);
        var warpOptions = (WarpOptions)_models.Bind(ModelRegistry.Of(ModelKind.Warp), parse, strict: false);
        using var backend = _backend.Open(parse);
        var (ratingsPath, moviesPath) = MovieLensDownload.Locate(data, cancellation);
        var clock = Stopwatch.StartNew();
        var table = RatingFileReader.Read(ratingsPath, RatingFileFormat.MovieLens, cancellation);
        var titles = MovieCatalog.Read(moviesPath);
        var ratings = InteractionMatrix.Build(table);
        Console.Out.WriteLine($"MovieLens 1M: {ratings.Count:N0} ratings, {ratings.UserCount:N0} users × {ratings.ItemCount:N0} movies, read in {clock.Elapsed.TotalSeconds:F2} s");
        Console.Out.WriteLine($"backend: {BackendArguments.Describe(backend)}");
        Console.Out.WriteLine();

        Console.Out.WriteLine($"== Biased SVD by SGD on explicit ratings ({svdOptions.Factors} factors, {svdOptions.Epochs} epochs)");
        clock.Restart();
        var svd = new SvdTrainer(svdOptions, backend).Fit(ratings, progress: new ProgressBar(), cancellation: cancellation);
        Console.Out.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F2} s");
        Show(svd, titles, n, fanRating: 5f);

        var positives = InteractionMatrix.Build(table.Positives(minValue: 4f));
        Console.Out.WriteLine($"== Implicit ALS on {positives.Count:N0} positives (ratings ≥ 4; {alsOptions.Factors} factors, {alsOptions.Iterations} iterations, α = {alsOptions.Alpha}, λ = {alsOptions.Regularization})");
        clock.Restart();
        var als = new AlsTrainer(alsOptions, backend).Fit(positives, new ProgressBar(), cancellation);
        Console.Out.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F2} s");
        Show(als, titles, n, fanRating: 1f);

        Console.Out.WriteLine($"== BPR on implicit positives (ratings ≥ 4: {positives.Count:N0}) ({bprOptions.Factors} factors, {bprOptions.Epochs} epochs, {bprOptions.Schedule})");
        clock.Restart();
        var bpr = new BprTrainer(bprOptions, backend).Fit(positives, progress: PairwiseProgress.Wrap(new ProgressBar()), cancellation: cancellation);
        Console.Out.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F2} s");
        Show(bpr, titles, n, fanRating: 1f);

        Console.Out.WriteLine($"== WARP on implicit positives (ratings ≥ 4) ({warpOptions.Factors} factors, {warpOptions.Epochs} epochs, up to {warpOptions.MaxSampled} negatives per positive)");
        clock.Restart();
        var warp = new WarpTrainer(warpOptions, backend).Fit(positives, progress: PairwiseProgress.Wrap(new ProgressBar()), cancellation: cancellation);
        Console.Out.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F2} s");
        Show(warp, titles, n, fanRating: 1f);
        return 0;
    }

    private static void Show(FactorModel model, MovieCatalog titles, int n, float fanRating)
    {
        Console.Out.WriteLine();
        Console.Out.WriteLine($"Movies most similar to {titles.Title(ToyStory)}:");
        Print(model.SimilarItems(ToyStory, n), titles, "cosine");
        Console.Out.WriteLine();
        Console.Out.WriteLine($"Recommendations for a new user who liked {string.Join(", ", ActionFan.Select(titles.Title))}:");
        var user = model.RecalculateUser(ActionFan.Select(id => (id, fanRating)));
        Print(model.Recommend(user, n), titles, "score");
        Console.Out.WriteLine();
    }

    private static void Print(IReadOnlyList<ScoredItem> items, MovieCatalog titles, string scoreName) =>
        Table.Print(["rank", "movie", scoreName, "title"], items.Select((r, i) => new[]
        {
            (i + 1).ToString(CultureInfo.InvariantCulture), r.Id.ToString(CultureInfo.InvariantCulture), r.Score.ToString("F3", CultureInfo.InvariantCulture), titles.Title(r.Id),
        }).ToList());
}
