using GpuMF.Data;

namespace GpuMF.Models;

/// <summary>
/// Entities known only by their features, added to a hybrid model for good: items listed in an item feature file
/// but absent from the interactions (a catalogue's new titles), users listed in a user feature file but without
/// interactions. Each gets the vector a cold-start query would give it (<see cref="ColdStart"/>): Σ weight ·
/// embedding of its features, the weights scaled to sum to 1 when the model's descriptions are, and for an item in a
/// model with item biases the bias Σ weight · feature bias. The model that results answers every query for them as
/// for a trained entity: new items appear in recommendations and similar-item lists, new users get recommendations
/// (none of their items seen).
/// </summary>
public static class FeatureOnlyEntities
{
    extension(FactorModel model)
    {
        /// <summary>A new model whose items are the model's followed by <paramref name="ids"/>, each with the vector its features compose.</summary>
        /// <param name="ids">The new item ids, of the model's item id kind, none of them in the model; row e of <paramref name="rows"/> describes <c>ids</c> index e.</param>
        /// <param name="rows">One row per id: no identity columns (<see cref="FeatureMatrix.IdentityCount"/> 0), the model's item feature names in their order, every row with some positive weight; scaled rows (<see cref="FeatureMatrix.Normalized"/>) only for a model whose descriptions are scaled.</param>
        /// <returns>The new model (the arrays of the side not grown are shared with this one), or this model when <paramref name="ids"/> is empty. A checkpoint's epochs and adagrad sums are not kept: the result is a finished model.</returns>
        /// <exception cref="ArgumentException">The model has no item features, or the ids or rows are not as described; the message names the offending id or feature.</exception>
        public FactorModel WithFeatureOnlyItems(IdMap ids, FeatureMatrix rows)
        {
            var grown = Grow(model.Items, model.ItemFactors, model.ItemBias, ColdStart.Require(model.ItemFeatures, "item"), model.Factors, ids, rows, "item");
            if (grown is not { } g)
            {
                return model;
            }
            var (items, factors, bias) = g;
            return new FactorModel(model.Kind, model.Users, items, model.Factors, model.UserFactors, factors, model.UserBias, bias, model.GlobalMean, model.SeenPtr, model.SeenItems, model.OptionsJson)
            {
                FoldIn = model.FoldIn,
                UserFeatures = model.UserFeatures,
                ItemFeatures = model.ItemFeatures,
            };
        }

        /// <summary>A new model whose users are the model's followed by <paramref name="ids"/>, each with the vector its features compose and no items seen.</summary>
        /// <param name="ids">The new user ids, of the model's user id kind, none of them in the model; row e of <paramref name="rows"/> describes <c>ids</c> index e.</param>
        /// <param name="rows">One row per id: no identity columns (<see cref="FeatureMatrix.IdentityCount"/> 0), the model's user feature names in their order, every row with some positive weight; scaled rows (<see cref="FeatureMatrix.Normalized"/>) only for a model whose descriptions are scaled.</param>
        /// <returns>The new model (the arrays of the side not grown are shared with this one), or this model when <paramref name="ids"/> is empty. A checkpoint's epochs and adagrad sums are not kept: the result is a finished model.</returns>
        /// <exception cref="ArgumentException">The model has no user features, or the ids or rows are not as described; the message names the offending id or feature.</exception>
        public FactorModel WithFeatureOnlyUsers(IdMap ids, FeatureMatrix rows)
        {
            var grown = Grow(model.Users, model.UserFactors, model.UserBias, ColdStart.Require(model.UserFeatures, "user"), model.Factors, ids, rows, "user");
            if (grown is not { } g)
            {
                return model;
            }
            var (users, factors, bias) = g;
            int before = model.Users.Count;
            var seenPtr = new int[users.Count + 1];
            model.SeenPtr.CopyTo(seenPtr, 0);
            seenPtr.AsSpan(before + 1).Fill(model.SeenPtr[before]);
            return new FactorModel(model.Kind, users, model.Items, model.Factors, factors, model.ItemFactors, bias, model.ItemBias, model.GlobalMean, seenPtr, model.SeenItems, model.OptionsJson)
            {
                FoldIn = model.FoldIn,
                UserFeatures = model.UserFeatures,
                ItemFeatures = model.ItemFeatures,
            };
        }
    }

    /// <summary>
    /// One side's map, factors and biases with the new entities appended (biases only where the model has them; a
    /// new entity's is Σ w·b of its features, 0 without feature biases), after every check; null when there are none.
    /// </summary>
    private static (IdMap Map, float[] Factors, float[]? Bias)? Grow(IdMap map, float[] factors, float[]? bias, FeatureEmbeddings embeddings, int k, IdMap ids, FeatureMatrix rows, string side)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.RowCount != ids.Count)
        {
            throw new ArgumentException($"The feature rows hold {rows.RowCount} {side}s, but {ids.Count} ids are given: give one row per id.", nameof(rows));
        }
        if (ids.Count == 0)
        {
            return null;
        }
        if (ids.Kind != map.Kind)
        {
            throw new ArgumentException($"The new {side} ids are {IdKinds.Name(ids.Kind)}s, but the model's are {IdKinds.Name(map.Kind)}s: give ids of the model's kind.", nameof(ids));
        }
        CheckColumns(rows, embeddings, side);
        for (int e = 0; e < ids.Count; e++)
        {
            bool known = ids.Kind == IdKind.Text ? map.TryGetIndex(ids.Names[e], out _) : map.TryGetIndex(ids[e], out _);
            if (known)
            {
                throw new ArgumentException($"The {side} {Named(ids, e)} is already in the model: only {side}s it lacks can be added by their features.", nameof(ids));
            }
        }
        int before = map.Count;
        var grownFactors = new float[checked(((long)before + ids.Count) * k)];
        factors.CopyTo(grownFactors, 0);
        float[]? grownBias = null;
        if (bias is not null)
        {
            grownBias = new float[before + ids.Count];
            bias.CopyTo(grownBias, 0);
        }
        for (int e = 0; e < ids.Count; e++)
        {
            float b = ColdStart.Compose(embeddings, rows.ColumnsOf(e), rows.WeightsOf(e), grownFactors.AsSpan((before + e) * k, k), $"New {side} {Named(ids, e)}");
            grownBias?[before + e] = b;
        }
        var grownMap = IdKinds.WritableCopy(map);
        for (int e = 0; e < ids.Count; e++)
        {
            _ = ids.Kind == IdKind.Text ? grownMap.GetOrAdd(ids.Names[e]) : grownMap.GetOrAdd(ids[e]);
        }
        return (grownMap.ToReadOnly(), grownFactors, grownBias);
    }

    /// <summary>Checks that the rows' columns are the embeddings' rows: no identity columns, the same names in the same order, scaled only where the model scales.</summary>
    private static void CheckColumns(FeatureMatrix rows, FeatureEmbeddings embeddings, string side)
    {
        if (rows.IdentityCount != 0)
        {
            throw new ArgumentException($"The feature rows have {rows.IdentityCount} identity columns; {side}s added by their features have no identity of their own to look up: build the rows with no identity columns.", nameof(rows));
        }
        if (rows.Normalized && !embeddings.Normalized)
        {
            throw new ArgumentException($"The feature rows' weights are scaled to sum to 1, but the model's {side} descriptions were not: build the rows as the training rows were, unscaled.", nameof(rows));
        }
        int count = embeddings.Names.Count;
        for (int g = 0; g < Math.Max(count, rows.Names.Count); g++)
        {
            if (g >= rows.Names.Count || g >= count || rows.Names.Names[g] != embeddings.Names.Names[g])
            {
                string theirs = g < rows.Names.Count ? $"'{rows.Names.Names[g]}'" : "nothing";
                string ours = g < count ? $"'{embeddings.Names.Names[g]}'" : "nothing";
                throw new ArgumentException(
                    $"The feature rows' column {g} is {theirs}, where the model's {side} feature {g} is {ours} (the model has {count} {side} features, the rows {rows.Names.Count}): build the rows with the model's {side} feature names, in their order.",
                    nameof(rows));
            }
        }
    }

    private static string Named(IdMap ids, int e) => ids.Kind == IdKind.Text ? $"'{ids.Names[e]}'" : ids[e].ToString(System.Globalization.CultureInfo.InvariantCulture);
}
