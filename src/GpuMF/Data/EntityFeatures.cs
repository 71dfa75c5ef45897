using System.Globalization;
using System.Numerics.Tensors;

namespace GpuMF.Data;

/// <summary>How <see cref="EntityFeatures.Build"/> turns a feature table into matrices.</summary>
public sealed record FeatureOptions
{
    /// <summary>The defaults: identity features on, weights as given, a repeated (entity, feature) pair an error.</summary>
    public static FeatureOptions Defaults { get; } = new();

    /// <summary>
    /// True (default) to give each entity of the index space an identity feature of weight 1 (before
    /// any scaling), so that entities keep a representation of their own and pure collaborative filtering is the
    /// case of no named features; false for named features only (an entity without any then has an empty row).
    /// </summary>
    public bool Identity { get; init; } = true;

    /// <summary>
    /// True to scale each row's weights, the identity feature's included, to sum to 1 (as LightFM's Dataset does by
    /// default), so that an entity of many features is not represented by a longer vector than one of few; rows whose
    /// weights are all 0 stay as they are. Sets <see cref="FeatureMatrix.Normalized"/>. False (default) keeps the
    /// weights as given: on ML-1M with WARP's defaults, scaled rows lost 0.015 of P@10 in warm start (identity +
    /// genres) and 0.10 in item cold start (genres only: 0.077 against 0.177), since an item's own feature then
    /// carries a fraction of its vector and a cold item's genre count no longer shows (bench/RESULTS.md, "Side
    /// features and cold start").
    /// </summary>
    public bool Normalize { get; init; }

    /// <summary>
    /// What a feature given twice to one entity does: <see cref="DuplicatePolicy.Reject"/> (default), an error
    /// naming both lines (or rows); <see cref="DuplicatePolicy.Sum"/> adds the weights; <see cref="DuplicatePolicy.KeepLast"/>
    /// keeps the later row's weight.
    /// </summary>
    public DuplicatePolicy Duplicates { get; init; } = DuplicatePolicy.Reject;

    /// <summary>
    /// With <see cref="Identity"/> on, the factor in (0, 1] that every named feature's weight is multiplied by in the
    /// rows training sees (after <see cref="Normalize"/>); 1 uses the weights as given; null (default) leaves the choice
    /// to the model (<see cref="FeatureMatrix.NamedScale"/> null): 0.02 for WARP on weights as given, 1 for WARP on
    /// rows scaled to sum to 1 (<see cref="Normalize"/>) and for BPR. A named feature is shared
    /// by many entities, each of which moves its embedding; under adagrad its steps stay as large as an entity's own
    /// row's, so its share of every vector that holds it keeps jittering, and WARP's rank-weighted steps pay for that
    /// in precision. The factor slows that share while each entity's own row learns at full rate. Training exports the
    /// named embeddings multiplied by the factor, so an entity described by its features alone
    /// (<see cref="EntityFeatures.Cold"/>, whose weights stay as given) gets what a trained entity's features give it.
    /// Without identity features the named features are the whole representation and no factor applies. On ML-1M,
    /// WARP with identity + genres: P@10 0.3061 ± 0.0011 over five seeds at 0.02, 0.3039 at 0.1 and 0.2965 ± 0.0009 at
    /// 1, against plain WARP's 0.3061 ± 0.0008; item cold start with identity + genres trades AUC for precision
    /// (0.7126 and 0.1777 at 0.02, 0.7287 and 0.1731 at 1). BPR lost at 0.02 in warm and cold start alike (P@10 0.2807
    /// against 0.2826 at 1), and so did WARP on scaled rows (0.2741 against 0.2818), so their default stays 1
    /// (bench/RESULTS.md, "Side features and cold start").
    /// </summary>
    public float? SharedWeight { get; init; }
}

/// <summary>
/// A feature table laid over an entity index space (the training data's users or items): <see cref="Known"/> has
/// one row per entity of the space, in its order, identity columns first when <see cref="FeatureOptions.Identity"/>
/// is on; the table's entities that the space lacks are cold, each a row of <see cref="Cold"/>, over the same
/// <see cref="Names"/> and without identity columns. Feature names are those of the whole table, the cold
/// entities' included, so that a cold row's columns mean the same as a known one's.
/// </summary>
public sealed class EntityFeatures
{
    private EntityFeatures(FeatureMatrix known, IdMap coldIds, FeatureMatrix cold, int withoutFeatures)
    {
        Known = known;
        ColdIds = coldIds;
        Cold = cold;
        WithoutFeatures = withoutFeatures;
    }

    /// <summary>The space's entities' features: row e is entity e of the map built over; identity columns first when on.</summary>
    public FeatureMatrix Known { get; }

    /// <summary>The table's entities absent from the space that have a feature of positive weight, in order of first appearance in the table, of the space's id kind.</summary>
    public IdMap ColdIds { get; }

    /// <summary>The cold entities' features, row c being <see cref="ColdIds"/>' entity c; no identity columns, the same <see cref="Names"/> as <see cref="Known"/>.</summary>
    public FeatureMatrix Cold { get; }

    /// <summary>The named features, shared by <see cref="Known"/> and <see cref="Cold"/>.</summary>
    public IdMap Names => Known.Names;

    /// <summary>Entities of the table absent from the space and without a feature of positive weight: left out of <see cref="ColdIds"/>, as nothing represents them.</summary>
    public int ColdWithoutFeatures { get; private init; }

    /// <summary>Entities of the space with no named feature: they have their identity feature only, or an empty row without identity.</summary>
    public int WithoutFeatures { get; }

    /// <summary>Lays <paramref name="table"/> over the entities of <paramref name="entities"/>, which is not changed.</summary>
    /// <param name="table">The features read.</param>
    /// <param name="entities">The index space: the training matrix's user or item map, its entities as they are now.</param>
    /// <param name="options">Identity, normalising and duplicates; null for <see cref="FeatureOptions.Defaults"/>.</param>
    /// <exception cref="DataFormatException">
    /// The table's ids are strings and the space's integers (a file read with the other id type), or a feature is
    /// given twice to an entity under <see cref="DuplicatePolicy.Reject"/>; the message names the file, the line or
    /// row group, and the column. Integer ids over a space of strings are looked up by their decimal text, as
    /// <see cref="InteractionMatrix.Build"/> does.
    /// </exception>
    public static EntityFeatures Build(FeatureTable table, IdMap entities, FeatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(entities);
        options ??= FeatureOptions.Defaults;
        if (options.SharedWeight is { } shared && !(shared is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SharedWeight, "FeatureOptions.SharedWeight is in (0, 1].");
        }
        var source = table.Entities;
        if (source.Kind == IdKind.Text && entities.Kind == IdKind.Numeric && source.Count > 0)
        {
            const string problem = "is a string id, but the interactions' ids are integers: read the feature file with the interactions' id type (gpumf --id-type, FeatureFileFormat.IdType), or both with --id-type string.";
            throw table.Count > 0
                ? table.Error(0, table.EntityField, $"'{source.Text(table.EntityIndices[0])}' {problem}")
                : new DataFormatException(table.Source, 0, $"entity '{source.Text(0)}' {problem}");
        }
        int knownCount = entities.Count;
        var cold = new IdMap(entities.Kind);
        // place[t] ≥ 0: the space's index of the table's entity t; < 0: its cold row, ~place[t].
        var place = new int[source.Count];
        for (int t = 0; t < source.Count; t++)
        {
            bool found = source.Kind == IdKind.Text ? entities.TryGetIndex(source.Names[t], out int index)
                : entities.Kind == IdKind.Numeric ? entities.TryGetIndex(source[t], out index)
                : entities.TryGetIndex(source.Text(t), out index);
            place[t] = found ? index
                : ~(entities.Kind == IdKind.Text ? cold.GetOrAdd(source.Text(t)) : cold.GetOrAdd(source[t]));
        }
        var knownSide = new Side(knownCount);
        var coldSide = new Side(cold.Count);
        ReadOnlySpan<int> rowEntities = table.EntityIndices;
        foreach (int t in rowEntities)
        {
            int p = place[t];
            (p >= 0 ? knownSide : coldSide).Counts[p >= 0 ? p : ~p]++;
        }
        knownSide.Place();
        coldSide.Place();
        ReadOnlySpan<int> features = table.Features;
        for (int r = 0; r < rowEntities.Length; r++)
        {
            int p = place[rowEntities[r]];
            var side = p >= 0 ? knownSide : coldSide;
            side.Keys[side.Next[p >= 0 ? p : ~p]++] = ((long)features[r] << 32) | (uint)r;
        }
        var known = knownSide.Assemble(table, options, options.Identity, entities, out int withoutFeatures);
        var coldMatrix = coldSide.Assemble(table, options, identity: false, cold, out _);
        var (coldIds, coldRows, undescribed) = Describable(cold, coldMatrix);
        return new EntityFeatures(known, coldIds, coldRows, withoutFeatures) { ColdWithoutFeatures = undescribed };
    }

    /// <summary>
    /// The cold entities with a feature of positive weight, and how many had none: nothing can represent those (a
    /// MovieLens movie of the "unknown" genre alone, say), so they stay out of <see cref="ColdIds"/>.
    /// </summary>
    private static (IdMap Ids, FeatureMatrix Rows, int Dropped) Describable(IdMap ids, FeatureMatrix rows)
    {
        var keep = new List<int>();
        for (int e = 0; e < rows.RowCount; e++)
        {
            foreach (float w in rows.WeightsOf(e))
            {
                if (w > 0)
                {
                    keep.Add(e);
                    break;
                }
            }
        }
        if (keep.Count == rows.RowCount)
        {
            return (ids.ToReadOnly(), rows, 0);
        }
        var kept = new IdMap(ids.Kind);
        var ptr = new int[keep.Count + 1];
        var columns = new List<int>();
        var weights = new List<float>();
        for (int n = 0; n < keep.Count; n++)
        {
            int e = keep[n];
            _ = ids.Kind == IdKind.Text ? kept.GetOrAdd(ids.Names[e]) : kept.GetOrAdd(ids[e]);
            columns.AddRange(rows.ColumnsOf(e));
            weights.AddRange(rows.WeightsOf(e));
            ptr[n + 1] = columns.Count;
        }
        var matrix = new FeatureMatrix(rows.Names, 0, ptr, [.. columns], [.. weights]) { Normalized = rows.Normalized };
        return (kept.ToReadOnly(), matrix, rows.RowCount - keep.Count);
    }

    /// <summary>The rows of one side (known or cold): each row's table rows as (feature, row) keys, gathered by entity.</summary>
    private sealed class Side(int rows)
    {
        public int[] Counts { get; } = new int[rows];

        public int[] Next { get; } = new int[rows];

        public long[] Keys { get; private set; } = [];

        private int[] _start = [];

        /// <summary>Turns the counts into each row's first slot in <see cref="Keys"/>.</summary>
        public void Place()
        {
            _start = new int[rows + 1];
            for (int e = 0; e < rows; e++)
            {
                _start[e + 1] = _start[e] + Counts[e];
            }
            Array.Copy(_start, Next, rows);
            Keys = new long[_start[rows]];
        }

        /// <summary>The matrix: identity column first where asked, then the named features in column order, duplicates merged or refused.</summary>
        public FeatureMatrix Assemble(FeatureTable table, FeatureOptions options, bool identity, IdMap ids, out int withoutFeatures)
        {
            int offset = identity ? rows : 0;
            var rowPtr = new int[rows + 1];
            var columns = new int[Keys.Length + offset];
            var weights = new float[columns.Length];
            ReadOnlySpan<float> tableWeights = table.Weights;
            int n = 0;
            withoutFeatures = 0;
            for (int e = 0; e < rows; e++)
            {
                int first = n;
                if (identity)
                {
                    columns[n] = e;
                    weights[n++] = 1f;
                }
                // Sorting by (feature, row) puts a feature's rows side by side, in file order.
                Array.Sort(Keys, _start[e], _start[e + 1] - _start[e]);
                int named = n;
                for (int k = _start[e]; k < _start[e + 1]; k++)
                {
                    int feature = (int)(Keys[k] >> 32);
                    int row = (int)(uint)Keys[k];
                    if (n > named && columns[n - 1] == offset + feature)
                    {
                        int earlier = (int)(uint)Keys[k - 1];
                        weights[n - 1] = options.Duplicates switch
                        {
                            DuplicatePolicy.Sum => weights[n - 1] + tableWeights[row],
                            DuplicatePolicy.KeepLast => tableWeights[row],
                            _ => throw table.Error(row, table.FeatureField,
                                $"entity {Describe(ids, e)} has feature '{table.Names.Names[feature]}' again, first at {table.Where(earlier)} (FeatureOptions.Duplicates Sum or KeepLast merges such rows)."),
                        };
                        continue;
                    }
                    columns[n] = offset + feature;
                    weights[n++] = tableWeights[row];
                }
                if (n == named)
                {
                    withoutFeatures++;
                }
                if (options.Normalize)
                {
                    Normalize(weights.AsSpan(first, n - first));
                }
                if (identity && options.SharedWeight is { } factor)
                {
                    var shared = weights.AsSpan(named, n - named);
                    TensorPrimitives.Multiply(shared, factor, shared);
                }
                rowPtr[e + 1] = n;
            }
            Array.Resize(ref columns, n);
            Array.Resize(ref weights, n);
            return new FeatureMatrix(table.Names, offset, rowPtr, columns, weights) { Normalized = options.Normalize, NamedScale = identity ? options.SharedWeight : 1f };
        }

        private static string Describe(IdMap ids, int e) =>
            ids.Kind == IdKind.Text ? $"'{ids.Names[e]}'" : ids[e].ToString(CultureInfo.InvariantCulture);

        private static void Normalize(Span<float> weights)
        {
            double sum = 0;
            foreach (float w in weights)
            {
                sum += w;
            }
            if (sum > 0)
            {
                for (int k = 0; k < weights.Length; k++)
                {
                    weights[k] = (float)(weights[k] / sum);
                }
            }
        }
    }
}
