namespace GpuMF.Data;

/// <summary>
/// The features of one side's entities (users or items) in a dense index space, for hybrid models (Kula 2015,
/// "Metadata Embeddings for User and Item Cold-start Recommendations"): row e lists entity e's feature columns and
/// their weights (CSR), and a hybrid model represents the entity by Σ weight · embedding(column). Columns
/// [0, <see cref="IdentityCount"/>) are identity features, column e belonging to entity e alone, so that pure
/// collaborative filtering is the case of identity features only; column <see cref="IdentityCount"/> + g is the
/// named feature <see cref="Names"/>[g].
/// </summary>
/// <remarks>Immutable after construction; arrays are taken, not copied.</remarks>
public sealed class FeatureMatrix
{
    /// <summary>Assembles a matrix and checks its shape.</summary>
    /// <param name="names">The named features, of string kind, in column order after the identity columns.</param>
    /// <param name="identityCount">Identity columns, 0 (none) up to the number of rows.</param>
    /// <param name="rowPtr">CSR offsets, one per row plus one, non-decreasing from 0.</param>
    /// <param name="columns">Each entry's column, in [0, <see cref="ColumnCount"/>), distinct within a row.</param>
    /// <param name="weights">Each entry's weight, finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">The arrays do not describe such a matrix.</exception>
    public FeatureMatrix(IdMap names, int identityCount, int[] rowPtr, int[] columns, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(rowPtr);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(weights);
        if (names.Count > 0 && names.Kind != IdKind.Text)
        {
            throw new ArgumentException("Feature names are strings: pass a map of string kind.", nameof(names));
        }
        if (rowPtr.Length == 0 || rowPtr[0] != 0 || rowPtr[^1] != columns.Length || columns.Length != weights.Length)
        {
            throw new ArgumentException($"The offsets must run from 0 to the {columns.Length} entries, with one weight per entry ({weights.Length} given).", nameof(rowPtr));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(identityCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(identityCount, rowPtr.Length - 1);
        Names = names.ToReadOnly();
        IdentityCount = identityCount;
        RowPtr = rowPtr;
        Columns = columns;
        Weights = weights;
        int count = ColumnCount;
        for (int e = 0; e < RowCount; e++)
        {
            if (rowPtr[e + 1] < rowPtr[e])
            {
                throw new ArgumentException($"The offsets decrease at row {e}.", nameof(rowPtr));
            }
            for (int n = rowPtr[e]; n < rowPtr[e + 1]; n++)
            {
                if ((uint)columns[n] >= (uint)count)
                {
                    throw new ArgumentException($"Row {e} names column {columns[n]}; there are {count}.", nameof(columns));
                }
                if (!float.IsFinite(weights[n]) || weights[n] < 0)
                {
                    throw new ArgumentException($"Row {e} gives column {columns[n]} the weight {weights[n]}; weights are finite and ≥ 0.", nameof(weights));
                }
            }
        }
    }

    /// <summary>The named features, read-only, of string kind (empty when there are identity features only).</summary>
    public IdMap Names { get; }

    /// <summary>Identity columns: column e (e &lt; this) is entity e's own feature; 0 when there are none.</summary>
    public int IdentityCount { get; }

    /// <summary>CSR offsets: row e's entries are [RowPtr[e], RowPtr[e + 1]).</summary>
    public int[] RowPtr { get; }

    /// <summary>Each entry's column.</summary>
    public int[] Columns { get; }

    /// <summary>Each entry's weight.</summary>
    public float[] Weights { get; }

    /// <summary>Rows (entities).</summary>
    public int RowCount => RowPtr.Length - 1;

    /// <summary>Columns: the identity ones and the named ones, = the rows of a hybrid model's embedding table.</summary>
    public int ColumnCount => IdentityCount + Names.Count;

    /// <summary>Entries over all rows.</summary>
    public int Count => Columns.Length;

    /// <summary>True when every non-empty row's weights were scaled to sum to 1 (the default of the builders).</summary>
    public bool Normalized { get; init; }

    /// <summary>
    /// The factor, finite and &gt; 0, that the named features' weights carry beyond the weights given
    /// (<see cref="FeatureOptions.SharedWeight"/>), default 1; null when the rows leave it to the model, whose training
    /// then applies its own (<see cref="ScaleNamed"/>). Training exports its named embeddings multiplied by it, so that
    /// composing them with the given weights gives what training's rows gave.
    /// </summary>
    public float? NamedScale
    {
        get;
        init => field = value is not { } v || (float.IsFinite(v) && v > 0) ? value : throw new ArgumentOutOfRangeException(nameof(NamedScale), value, "The named features' scale is finite and > 0.");
    } = 1f;

    /// <summary>These rows with every named feature's weight multiplied by <paramref name="factor"/> (finite, &gt; 0), which <see cref="NamedScale"/> then records.</summary>
    /// <exception cref="InvalidOperationException">The rows carry a factor already.</exception>
    public FeatureMatrix ScaleNamed(float factor)
    {
        if (NamedScale is not null)
        {
            throw new InvalidOperationException($"The rows' named weights carry the factor {NamedScale} already.");
        }
        var weights = (float[])Weights.Clone();
        for (int n = 0; n < weights.Length; n++)
        {
            if (Columns[n] >= IdentityCount)
            {
                weights[n] *= factor;
            }
        }
        return new FeatureMatrix(Names, IdentityCount, RowPtr, Columns, weights) { Normalized = Normalized, NamedScale = factor };
    }

    /// <summary>Row <paramref name="e"/>'s columns.</summary>
    public ReadOnlySpan<int> ColumnsOf(int e) => Columns.AsSpan(RowPtr[e], RowPtr[e + 1] - RowPtr[e]);

    /// <summary>Row <paramref name="e"/>'s weights.</summary>
    public ReadOnlySpan<float> WeightsOf(int e) => Weights.AsSpan(RowPtr[e], RowPtr[e + 1] - RowPtr[e]);

    /// <summary>True when every row is its own identity column with weight 1 and nothing else: the plain model's case.</summary>
    public bool IsIdentityOnly
    {
        get
        {
            if (Names.Count > 0 || IdentityCount != RowCount || Count != RowCount)
            {
                return false;
            }
            for (int e = 0; e < RowCount; e++)
            {
                if (Columns[e] != e || Weights[e] != 1f)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
