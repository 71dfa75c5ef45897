using System.CommandLine;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>--user-features</c>, <c>--item-features</c> and their layout options, for the commands that train (bpr and
/// warp only): the feature files read, laid over the training data's index space, and the entities they describe
/// that training lacks, added to the model from their features alone after training.
/// </summary>
internal sealed class FeatureArguments
{
    private static readonly string[] Formats = ["auto", "table", "tsv", "csv", "ml-1m-movies", "ml-1m-users", "ml-100k-items", "ml-100k-users"];

    private readonly Option<string> _users;
    private readonly Option<string> _items;
    private readonly Option<string> _usersFormat;
    private readonly Option<string> _itemsFormat;
    private readonly Option<bool> _noUserIdentity;
    private readonly Option<bool> _noItemIdentity;
    private readonly Option<bool> _scaleWeights;
    private readonly Option<float?> _sharedWeight;

    public FeatureArguments(Command command)
    {
        _users = Opt.Text("--user-features", "FILE", "bpr, warp: user features (hybrid model): rows of user, feature[, weight] (TSV, CSV or Parquet), or MovieLens users.dat / u.user (gender, age band, occupation)", false);
        _items = Opt.Text("--item-features", "FILE", "bpr, warp: item features (hybrid model): rows of item, feature[, weight], or MovieLens movies.dat / u.item (genres)", false);
        _usersFormat = Opt.Choice("--user-features-format", "layout of --user-features (auto: MovieLens by file name, else a table by extension)", Formats, "auto");
        _itemsFormat = Opt.Choice("--item-features-format", "layout of --item-features", Formats, "auto");
        _noUserIdentity = Opt.Flag("--no-user-identity", "with --user-features: leave out each user's own feature, so that users are their features alone");
        _noItemIdentity = Opt.Flag("--no-item-identity", "with --item-features: leave out each item's own feature, so that items are their features alone (what item cold start measures)");
        _scaleWeights = Opt.Flag("--scale-feature-weights", "scale each entity's feature weights, its own feature's included, to sum to 1 (LightFM's default), instead of using them as given");
        _sharedWeight = Opt.OptionalFloat("--shared-feature-weight", "with identity features: the factor in (0, 1] each named feature's weight is multiplied by in training, so that features shared by many entities learn slowly beside each entity's own (1: as given; default: warp 0.02, or 1 with --scale-feature-weights; bpr 1)");
        foreach (var option in new Option[] { _users, _items, _usersFormat, _itemsFormat, _noUserIdentity, _noItemIdentity, _scaleWeights, _sharedWeight })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>True when a feature file was given.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(_users) is not null || parse.GetValue(_items) is not null;

    /// <summary>True when <c>--user-features</c> (<paramref name="users"/>) or <c>--item-features</c> was given.</summary>
    public bool Given(ParseResult parse, bool users) => parse.GetValue(users ? _users : _items) is not null;

    /// <summary>Checks the options against the model before any work.</summary>
    /// <exception cref="UsageException">Features for a model that cannot use them, or a layout option without its file.</exception>
    public void Check(ParseResult parse, ModelFamily family)
    {
        foreach (var (file, dependents) in new[] { (_users, new Option[] { _usersFormat, _noUserIdentity }), (_items, new Option[] { _itemsFormat, _noItemIdentity }) })
        {
            if (parse.GetValue(file) is null && dependents.FirstOrDefault(parse.Given) is { } orphan)
            {
                throw new UsageException($"{orphan.Name} goes with {file.Name} FILE.");
            }
        }
        if (parse.GetValue(_sharedWeight) is { } shared && !(shared is > 0 and <= 1))
        {
            throw new UsageException($"--shared-feature-weight {shared.ToString(System.Globalization.CultureInfo.InvariantCulture)}: give a number in (0, 1].");
        }
        if (!Given(parse))
        {
            if (new Option[] { _scaleWeights, _sharedWeight }.FirstOrDefault(parse.Given) is { } orphan)
            {
                throw new UsageException($"{orphan.Name} goes with --user-features or --item-features.");
            }
            return;
        }
        if (family.Kind is not (ModelKind.Bpr or ModelKind.Warp))
        {
            throw new UsageException($"--user-features and --item-features train hybrid bpr and warp models; {family.Name} takes no features (it would ignore them).");
        }
    }

    /// <summary>
    /// The feature files read and laid over <paramref name="train"/>'s users and items, with a line each on standard
    /// error saying what was found; null for a side without a file.
    /// </summary>
    public (EntityFeatures? Users, EntityFeatures? Items) Read(ParseResult parse, InteractionMatrix train, CancellationToken cancellation)
    {
        var options = FeatureOptions.Defaults with { Normalize = parse.GetValue(_scaleWeights), SharedWeight = parse.GetValue(_sharedWeight) };
        var users = Side(parse, _users, _usersFormat, options with { Identity = !parse.GetValue(_noUserIdentity) }, train.Users, "user", cancellation);
        var items = Side(parse, _items, _itemsFormat, options with { Identity = !parse.GetValue(_noItemIdentity) }, train.Items, "item", cancellation);
        return (users, items);
    }

    /// <summary>The trained model with the entities only the feature files name added from their features.</summary>
    public static FactorModel AddFeatureOnly(FactorModel model, EntityFeatures? users, EntityFeatures? items)
    {
        if (users is { ColdIds.Count: > 0 })
        {
            model = model.WithFeatureOnlyUsers(users.ColdIds, users.Cold);
        }
        if (items is { ColdIds.Count: > 0 })
        {
            model = model.WithFeatureOnlyItems(items.ColdIds, items.Cold);
        }
        return model;
    }

    private static EntityFeatures? Side(ParseResult parse, Option<string> fileOption, Option<string> formatOption, FeatureOptions options, IdMap space, string side, CancellationToken cancellation)
    {
        if (parse.GetValue(fileOption) is not { } path)
        {
            return null;
        }
        string formatName = parse.GetValue(formatOption)!;
        var format = formatName == "auto" ? FeatureFileFormat.FromFileName(path) : FeatureFileFormat.Parse(formatName);
        var table = FeatureFile.Read(path, format, cancellation);
        var features = EntityFeatures.Build(table, space, options);
        string cold = features.ColdIds.Count == 0 ? "" : $"; {features.ColdIds.Count:N0} {side}s training lacks, added to the model from their features alone";
        cold += features.ColdWithoutFeatures == 0 ? "" : $"; {features.ColdWithoutFeatures:N0} {side}s training lacks left out: no feature of positive weight";
        string bare = features.WithoutFeatures == 0 ? "" : $"; {features.WithoutFeatures:N0} training {side}s have no named feature{(options.Identity ? " (their own feature only)" : " (a zero vector)")}";
        Console.Error.WriteLine($"{fileOption.Name} {path}: {table.Count:N0} rows, {features.Names.Count:N0} features{(options.Identity ? " + one per " + side : "")}{cold}{bare}");
        return features;
    }
}
