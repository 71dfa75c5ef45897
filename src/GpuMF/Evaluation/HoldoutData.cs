using GpuMF.Data;

namespace GpuMF.Evaluation;

/// <summary>
/// A training matrix and its held-out test matrix in one index space, ready for training and then
/// <see cref="RankingMetrics.Evaluate"/> or <see cref="RatingMetrics.Evaluate"/>.
/// </summary>
/// <param name="Train">Training interactions; its id maps also hold the users and items that occur only in the test table.</param>
/// <param name="Test">Held-out interactions, built with the same id maps as <paramref name="Train"/>.</param>
public sealed record HoldoutData(InteractionMatrix Train, InteractionMatrix Test)
{
    /// <summary>
    /// Builds both matrices. Users and items that occur only in <paramref name="test"/> join the index space,
    /// so that every test item has a factor row (as implicit's evaluation assumes) and the model's dimensions
    /// cover the test matrix; they simply have no training interactions.
    /// </summary>
    /// <param name="train">Training rows.</param>
    /// <param name="test">Held-out rows.</param>
    /// <param name="duplicates">What to do with a pair that repeats within one table (default <see cref="DuplicatePolicy.KeepLast"/>).</param>
    public static HoldoutData Build(RatingTable train, RatingTable test, DuplicatePolicy duplicates = DuplicatePolicy.KeepLast)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        // Maps of the training table's id kinds: a test table of the other kind is looked up by its ids' text.
        var users = new IdMap(train.UserKind);
        var items = new IdMap(train.ItemKind);
        var trainMatrix = InteractionMatrix.Build(train, duplicates, users, items);
        var testMatrix = InteractionMatrix.Build(test, duplicates, users, items);
        // The training matrix was sized before the test ids joined the maps; rebuilding it gives it every row.
        trainMatrix = InteractionMatrix.FromIndices(users, items, trainMatrix.EntryUsers(), trainMatrix.UserItems, trainMatrix.UserValues);
        return new HoldoutData(trainMatrix, testMatrix);
    }
}
