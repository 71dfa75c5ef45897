using System.Globalization;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Cli;

/// <summary>
/// The console host's questions about users and items described by features alone (hybrid models): a new user's
/// recommendations, the users a new item suits, a new item's neighbours. Each prints a table.
/// </summary>
internal static class ColdStartQueries
{
    /// <summary>
    /// <c>recommend --user-features</c>: the top <paramref name="n"/> for a description, or for each user of a feature
    /// file when <paramref name="text"/> names one.
    /// </summary>
    public static int RecommendForFeatures(FactorModel model, string text, int n, MovieCatalog? titles, CancellationToken cancellation)
    {
        foreach (var (who, features) in Described(text, "--user-features", "user", cancellation))
        {
            var recs = model.Recommend(model.UserFromFeatures(features), n);
            Console.Out.WriteLine($"Top {recs.Count} for {who}:");
            Table.Print(["rank", "item", "score", "title"], [.. recs.Select((r, i) => new[] { Rank(i), r.Text, Score(r.Score), titles is null ? "" : CatalogTitles.Of(titles, r.Text) })]);
        }
        return 0;
    }

    /// <summary><c>recommend --item-features</c>: the <paramref name="n"/> users who would score a described new item highest.</summary>
    public static int UsersForItem(FactorModel model, string text, int n)
    {
        var (who, features) = Described(text, "--item-features", "item", CancellationToken.None).Single();
        var users = model.TopUsers(model.ItemFromFeatures(features), n);
        Console.Out.WriteLine($"The {users.Count} users {who} would suit best:");
        Table.Print(["rank", "user", "score"], [.. users.Select((r, i) => new[] { Rank(i), r.Text, Score(r.Score) })]);
        return 0;
    }

    /// <summary><c>similar --item-features</c>: the <paramref name="n"/> items nearest a described new item, by cosine.</summary>
    public static int SimilarToFeatures(FactorModel model, string text, int n, MovieCatalog? titles)
    {
        var (who, features) = Described(text, "--item-features", "item", CancellationToken.None).Single();
        var sims = model.SimilarItems(model.ItemFromFeatures(features), n);
        Console.Out.WriteLine($"Items most similar to {who}:");
        Table.Print(["rank", "item", "cosine", "title"], [.. sims.Select((r, i) => new[] { Rank(i), r.Text, Score(r.Score), titles is null ? "" : CatalogTitles.Of(titles, r.Text) })]);
        return 0;
    }

    /// <summary>
    /// The descriptions <paramref name="text"/> gives: itself parsed as name[:weight],… when no file of that name
    /// exists; else each entity of the feature file (its layout from its name, as <c>--user-features</c> of train reads it).
    /// </summary>
    private static IEnumerable<(string Who, IReadOnlyList<(string Name, float Weight)> Features)> Described(string text, string option, string side, CancellationToken cancellation)
    {
        if (!File.Exists(text))
        {
            IReadOnlyList<(string Name, float Weight)> parsed;
            try
            {
                parsed = FeatureDescription.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{option}: {e.Message} (give name[:weight],… or an existing feature file).");
            }
            return [($"a new {side} described as {string.Join(", ", parsed.Select(f => f.Weight == 1f ? f.Name : $"{f.Name}:{f.Weight.ToString(CultureInfo.InvariantCulture)}"))}", parsed)];
        }
        var table = FeatureFile.Read(text, FeatureFileFormat.FromFileName(text), cancellation);
        var rows = new List<(string Name, float Weight)>[table.Entities.Count];
        for (int r = 0; r < table.Count; r++)
        {
            (rows[table.EntityIndices[r]] ??= []).Add((table.Names.Text(table.Features[r]), table.Weights[r]));
        }
        return rows.Select((features, e) => ($"new {side} {table.Entities.Text(e)} of {text}", (IReadOnlyList<(string, float)>)(features ?? [])));
    }

    private static string Rank(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);

    private static string Score(float score) => score.ToString("F4", CultureInfo.InvariantCulture);
}
