using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Evaluation;

/// <summary>Which entities a cold-start evaluation holds out: the test's items (each user ranks them) or its users (each ranks every item).</summary>
public enum ColdStartSide
{
    /// <summary>Items training lacks, each user ranking only those that hold a test row (<see cref="RankingMetrics.EvaluateColdItems"/>).</summary>
    Items,

    /// <summary>Users training lacks, each ranking every item of the index space (<see cref="RankingMetrics.EvaluateColdUsers"/>).</summary>
    Users,
}

/// <summary>What a training run of <see cref="ColdStartProtocol.Run"/> gives back: the model and the feature tables it was trained with.</summary>
/// <param name="Model">The hybrid model trained on the protocol's training matrix.</param>
/// <param name="Users">The user features laid over that matrix's users, or null for none.</param>
/// <param name="Items">The item features laid over that matrix's items, or null for none.</param>
public sealed record ColdStartFit(FactorModel Model, EntityFeatures? Users, EntityFeatures? Items);

/// <summary>The outcome of <see cref="ColdStartProtocol.Run"/>.</summary>
/// <param name="Metrics">The ranking metrics of the held-out side (<see cref="RankingMetrics.Candidates"/>: the items each list was drawn from).</param>
/// <param name="Model">The trained model with the held-out side's feature-only entities added.</param>
/// <param name="Train">The matrix training saw.</param>
/// <param name="FeatureOnly">Entities of the held-out side added from their features alone.</param>
/// <param name="TestRowsLeftOut">Test rows whose user or item the model lacks (neither trained nor described by features), not judged.</param>
public sealed record ColdStartResult(RankingMetrics Metrics, FactorModel Model, InteractionMatrix Train, int FeatureOnly, int TestRowsLeftOut);

/// <summary>
/// The cold-start protocols of fixed splits whose test entities training never saw (bench/PEERS.md): train a hybrid
/// model, add the held-out entities from their features alone, and rank. The index space is that of all the
/// positives: the training file's users and items and, for user cold start, also the items only the test file holds,
/// which training then sees as negatives only (as a peer that lays its dataset over every positive does), so that
/// "every item" is every item of the split. For item cold start the held-out items stay out of training and each user
/// ranks those of them that hold a test row.
/// </summary>
public static class ColdStartProtocol
{
    /// <summary>Runs the protocol: builds the training matrix, has <paramref name="fit"/> train on it, adds the feature-only entities of <paramref name="side"/>, and measures.</summary>
    /// <param name="train">The training rows (positives).</param>
    /// <param name="test">The held-out rows (positives), of the training rows' id kinds.</param>
    /// <param name="side">Which entities the test holds out.</param>
    /// <param name="fit">Trains on the matrix it is given, with features laid over that matrix's users and items (the held-out side's file naming the held-out entities too).</param>
    /// <param name="k">Cut-off of the ranking metrics, ≥ 1 (default 10).</param>
    /// <param name="duplicates">What a pair repeated within one file does (default <see cref="DuplicatePolicy.Reject"/>).</param>
    /// <param name="catalogue">For <see cref="ColdStartSide.Users"/>: further items of the index space, a catalogue's (every movie of a
    /// feature file, say), which training sees as negatives only and every held-out user ranks; null (default) for the split's items alone.</param>
    /// <exception cref="ArgumentException">No test row has an entity of <paramref name="side"/> that training lacks and the features describe.</exception>
    public static ColdStartResult Run(RatingTable train, RatingTable test, ColdStartSide side, Func<InteractionMatrix, ColdStartFit> fit, int k = 10, DuplicatePolicy duplicates = DuplicatePolicy.Reject, IdMap? catalogue = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var matrix = TrainingMatrix(train, test, side, duplicates, catalogue);
        var trained = fit(matrix);
        ArgumentNullException.ThrowIfNull(trained);
        var features = side == ColdStartSide.Users ? trained.Users : trained.Items;
        var model = trained.Model;
        int added = 0;
        if (features is { ColdIds.Count: > 0 })
        {
            added = features.ColdIds.Count;
            model = side == ColdStartSide.Users ? model.WithFeatureOnlyUsers(features.ColdIds, features.Cold) : model.WithFeatureOnlyItems(features.ColdIds, features.Cold);
        }
        var (judged, leftOut) = InteractionMatrix.Within(test, model.Users, model.Items, duplicates);
        string what = side == ColdStartSide.Users ? "user" : "item";
        try
        {
            var metrics = side == ColdStartSide.Users
                ? RankingMetrics.EvaluateColdUsers(model, judged, matrix.UserCount, k)
                : RankingMetrics.EvaluateColdItems(model, judged, matrix.ItemCount, k);
            return new ColdStartResult(metrics, model, matrix, added, leftOut);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"No test row has a{(side == ColdStartSide.Items ? "n" : "")} {what} that training lacks and the {what} features describe ({leftOut:N0} test rows name entities with neither).", nameof(test), e);
        }
    }

    /// <summary>
    /// The protocol's training matrix: <paramref name="train"/> over its own users and items, for
    /// <see cref="ColdStartSide.Users"/> with the items only <paramref name="test"/> holds, then those only
    /// <paramref name="catalogue"/> holds, appended to the item index space (rows without training interactions).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="catalogue"/> is given for <see cref="ColdStartSide.Items"/>, or holds string ids where the training rows' are integers.</exception>
    public static InteractionMatrix TrainingMatrix(RatingTable train, RatingTable test, ColdStartSide side, DuplicatePolicy duplicates = DuplicatePolicy.Reject, IdMap? catalogue = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var users = new IdMap(train.UserKind);
        var items = new IdMap(train.ItemKind);
        var matrix = InteractionMatrix.Build(train, duplicates, users, items);
        if (side == ColdStartSide.Items)
        {
            return catalogue is null ? matrix : throw new ArgumentException("A catalogue widens the items that held-out users rank; item cold start ranks the held-out items alone.", nameof(catalogue));
        }
        // The test's users join a map of their own, so that only its items grow the index space.
        _ = InteractionMatrix.Build(test, DuplicatePolicy.KeepLast, new IdMap(train.UserKind), items);
        if (catalogue is not null)
        {
            if (catalogue.Kind == IdKind.Text && items.Kind == IdKind.Numeric && catalogue.Count > 0)
            {
                throw new ArgumentException($"The catalogue's ids are strings ('{catalogue.Names[0]}'), the training rows' integers: give the catalogue in the training rows' id type.", nameof(catalogue));
            }
            for (int e = 0; e < catalogue.Count; e++)
            {
                _ = catalogue.Kind == IdKind.Text ? items.GetOrAdd(catalogue.Names[e]) : items.Kind == IdKind.Text ? items.GetOrAdd(catalogue.Text(e)) : items.GetOrAdd(catalogue[e]);
            }
        }
        return InteractionMatrix.FromIndices(users, items, matrix.EntryUsers(), matrix.UserItems, matrix.UserValues);
    }
}
