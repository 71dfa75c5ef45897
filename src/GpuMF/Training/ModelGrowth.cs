using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// A trained model grown by new interactions: its id maps with the new users and items appended, its factor
/// rows with small normal rows for the newcomers, and the new interactions as a matrix in the grown index space
/// together with everything the model has seen (its own interactions at value 1, since a model keeps which items a
/// user had but not their values).
/// </summary>
internal sealed class ModelGrowth
{
    private ModelGrowth(FactorModel model, IdMap users, IdMap items, InteractionMatrix added, InteractionMatrix all, float[] p, float[] q)
    {
        Model = model;
        Users = users;
        Items = items;
        Added = added;
        All = all;
        P = p;
        Q = q;
    }

    public FactorModel Model { get; }

    public IdMap Users { get; }

    public IdMap Items { get; }

    /// <summary>The new interactions, in the grown index space.</summary>
    public InteractionMatrix Added { get; }

    /// <summary>What the grown model has seen: the old seen items (value 1) and the new interactions, repeated pairs merged by the policy.</summary>
    public InteractionMatrix All { get; }

    /// <summary>The user factors, grown.</summary>
    public float[] P { get; }

    /// <summary>The item factors, grown.</summary>
    public float[] Q { get; }

    /// <summary>Grows <paramref name="model"/> by <paramref name="interactions"/>.</summary>
    /// <exception cref="ArgumentException">The table is empty, or a pair repeats under <see cref="DuplicatePolicy.Reject"/>.</exception>
    public static ModelGrowth Of(FactorModel model, RatingTable interactions, UpdateOptions options, float initStdDev)
    {
        if (interactions.Count == 0)
        {
            throw new ArgumentException("The update holds no interactions.", nameof(interactions));
        }
        var users = new IdMap(model.Users.Ids);
        var items = new IdMap(model.Items.Ids);
        var added = InteractionMatrix.Build(interactions, options.Duplicates, users, items);
        var old = new RatingTable(model.SeenItems.Length + interactions.Count);
        for (int u = 0; u < model.Users.Count; u++)
        {
            for (int n = model.SeenPtr[u]; n < model.SeenPtr[u + 1]; n++)
            {
                old.Add(model.Users[u], model.Items[model.SeenItems[n]], 1f);
            }
        }
        for (int n = 0; n < interactions.Count; n++)
        {
            old.Add(interactions.Users[n], interactions.Items[n], interactions.Values[n]);
        }
        var all = InteractionMatrix.Build(old, options.Duplicates == DuplicatePolicy.Reject ? DuplicatePolicy.Sum : options.Duplicates, new IdMap(users.Ids), new IdMap(items.Ids));
        int k = model.Factors;
        return new ModelGrowth(model, users, items, added, all, Grow(model.UserFactors, users.Count, k, initStdDev, options.Seed, 1), Grow(model.ItemFactors, items.Count, k, initStdDev, options.Seed, 2));
    }

    /// <summary>The biases of <paramref name="bias"/> followed by zeros for the newcomers; null stays null.</summary>
    public static float[]? Grow(float[]? bias, int rows)
    {
        if (bias is null)
        {
            return null;
        }
        var grown = new float[rows];
        bias.CopyTo(grown, 0);
        return grown;
    }

    /// <summary>The grown model: the given factors and biases, the grown maps, and the seen items of <see cref="All"/>.</summary>
    public FactorModel Assemble(float[] p, float[] q, float[]? userBias, float[]? itemBias) =>
        new(Model.Kind, Users, Items, Model.Factors, p, q, userBias, itemBias, Model.GlobalMean, All.UserPtr, All.UserItems, Model.OptionsJson)
        {
            FoldIn = Model.FoldIn,
        };

    private static float[] Grow(float[] factors, int rows, int k, float std, ulong seed, int side)
    {
        var grown = NormalFactors.Create(rows, k, std, seed, side);
        factors.CopyTo(grown, 0);
        return grown;
    }
}
