using System.Globalization;

namespace GpuMF.Data;

/// <summary>
/// The rows of a feature file: (entity, feature name, weight) triples, the entities and the names each held once
/// in an <see cref="IdMap"/> in order of first appearance. <see cref="Entities"/> may list entities without rows
/// (a MovieLens movie of unknown genre), so that a cold entity's absence of features is known rather than guessed.
/// Built by <see cref="FeatureFile.Read"/> or from arrays; turned into matrices by <see cref="EntityFeatures.Build"/>.
/// </summary>
/// <remarks>Immutable after construction; arrays are taken, not copied.</remarks>
public sealed class FeatureTable
{
    private readonly int[] _entities;
    private readonly int[] _features;
    private readonly float[] _weights;
    private readonly Func<int, RowOrigin> _locate;

    /// <summary>A table made in code (features from a database, say); errors name its rows by index.</summary>
    /// <param name="entities">The entity ids, integers or strings.</param>
    /// <param name="names">The feature names, of string kind.</param>
    /// <param name="entityIndices">Each row's entity, an index into <paramref name="entities"/>.</param>
    /// <param name="features">Each row's feature, an index into <paramref name="names"/>.</param>
    /// <param name="weights">Each row's weight, finite and ≥ 0.</param>
    /// <param name="source">What errors call the table (default <c>features</c>).</param>
    /// <exception cref="ArgumentException">The arrays differ in length, an index is out of range, a weight is negative or not finite, or the names are not strings.</exception>
    public FeatureTable(IdMap entities, IdMap names, int[] entityIndices, int[] features, float[] weights, string source = "features")
        : this(source, entities, names, entityIndices, features, weights, row => new RowOrigin(0, -1, row), "entity", "feature")
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        for (int r = 0; r < Count; r++)
        {
            if ((uint)entityIndices[r] >= (uint)entities.Count || (uint)features[r] >= (uint)names.Count)
            {
                throw new ArgumentException($"Row {r} names entity {entityIndices[r]} and feature {features[r]}; there are {entities.Count} entities and {names.Count} names.", nameof(entityIndices));
            }
            if (!float.IsFinite(weights[r]) || weights[r] < 0)
            {
                throw new ArgumentException($"Row {r} has the weight {weights[r].ToString(CultureInfo.InvariantCulture)}; weights are finite and ≥ 0.", nameof(weights));
            }
        }
    }

    /// <summary>A table read from a file, whose rows <paramref name="locate"/> places in it for errors.</summary>
    internal FeatureTable(string source, IdMap entities, IdMap names, int[] entityIndices, int[] features, float[] weights, Func<int, RowOrigin> locate, string entityField, string featureField)
    {
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(entityIndices);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(weights);
        if (names.Count > 0 && names.Kind != IdKind.Text)
        {
            throw new ArgumentException("Feature names are strings: pass a map of string kind.", nameof(names));
        }
        if (entityIndices.Length != features.Length || features.Length != weights.Length)
        {
            throw new ArgumentException($"One entity, feature and weight a row: {entityIndices.Length}, {features.Length} and {weights.Length} given.", nameof(entityIndices));
        }
        Source = source;
        Entities = entities.ToReadOnly();
        Names = names.Count == 0 ? new IdMap(IdKind.Text).ToReadOnly() : names.ToReadOnly();
        _entities = entityIndices;
        _features = features;
        _weights = weights;
        _locate = locate;
        EntityField = entityField;
        FeatureField = featureField;
    }

    /// <summary>The file read, or what a table made in code is called; errors name it.</summary>
    public string Source { get; }

    /// <summary>The entities, read-only, in order of first appearance: integers or strings, as the file's ids were read.</summary>
    public IdMap Entities { get; }

    /// <summary>The feature names, read-only, of string kind, in order of first appearance.</summary>
    public IdMap Names { get; }

    /// <summary>Rows.</summary>
    public int Count => _entities.Length;

    /// <summary>Each row's entity: an index into <see cref="Entities"/>.</summary>
    public ReadOnlySpan<int> EntityIndices => _entities;

    /// <summary>Each row's feature: an index into <see cref="Names"/>.</summary>
    public ReadOnlySpan<int> Features => _features;

    /// <summary>Each row's weight, finite and ≥ 0 (1 where the file gave none).</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>How errors name the entity column: <c>field 1 (entity id)</c>, a Parquet column's name.</summary>
    internal string EntityField { get; }

    /// <summary>How errors name the feature column.</summary>
    internal string FeatureField { get; }

    /// <summary>
    /// Where row <paramref name="row"/> lies in the source: <c>line 12</c>, <c>row group 0, row 3</c> or <c>row 4</c>.
    /// Meant for error messages: a text table's line is found by reading the file again up to it.
    /// </summary>
    public string Where(int row) => _locate(row).ToString();

    /// <summary>An error at row <paramref name="row"/>, naming the source, the line or row group, and <paramref name="field"/>.</summary>
    internal DataFormatException Error(int row, string field, string problem)
    {
        var origin = _locate(row);
        if (origin.Line > 0)
        {
            return new DataFormatException(Source, origin.Line, $"{field}: {problem}");
        }
        if (origin.RowGroup >= 0)
        {
            return new DataFormatException(Source, origin.RowGroup, field, $"row {origin.Row} of the group: {problem}");
        }
        return new DataFormatException(Source, 0, $"row {origin.Row}, {field}: {problem}");
    }
}

/// <summary>Where a row of a feature table came from: a line of text (<see cref="Line"/> &gt; 0), a row of a Parquet row group (<see cref="RowGroup"/> ≥ 0), or else a row index.</summary>
internal readonly record struct RowOrigin(long Line, int RowGroup, long Row)
{
    public override string ToString() =>
        Line > 0 ? $"line {Line}" : RowGroup >= 0 ? $"row group {RowGroup}, row {Row}" : $"row {Row}";
}
