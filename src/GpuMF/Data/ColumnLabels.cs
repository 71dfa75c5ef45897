namespace GpuMF.Data;

/// <summary>
/// The words errors of <see cref="RatingFileReader"/> use for the two id columns, the value column and the rows, so
/// that a feature file read as an interaction file (<see cref="FeatureFile"/>) is reported in its own terms.
/// </summary>
internal sealed record ColumnLabels(string User, string Item, string Value, string Rows)
{
    /// <summary>An interaction file's: user id, item id, value, interactions.</summary>
    public static ColumnLabels Interactions { get; } = new("user id", "item id", "value", "interactions");

    /// <summary>A feature file's: entity id, feature name, weight, feature rows.</summary>
    public static ColumnLabels Features { get; } = new("entity id", "feature name", "weight", "feature rows");
}
