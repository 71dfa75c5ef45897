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
    /// <exception cref="ArgumentException">The table is empty, its ids are of another kind than the model's, or a pair repeats under <see cref="DuplicatePolicy.Reject"/>.</exception>
    public static ModelGrowth Of(FactorModel model, RatingTable interactions, UpdateOptions options, float initStdDev)
    {
        if (interactions.Count == 0)
        {
            throw new ArgumentException("The update holds no interactions.", nameof(interactions));
        }
        IdKinds.RequireSame(interactions, model.Users, model.Items, "update");
        var users = IdKinds.WritableCopy(model.Users);
        var items = IdKinds.WritableCopy(model.Items);
        var added = InteractionMatrix.Build(interactions, options.Duplicates, users, items);
        var all = Merge(model, added, options.Duplicates == DuplicatePolicy.Reject ? DuplicatePolicy.Sum : options.Duplicates);
        int k = model.Factors;
        return new ModelGrowth(model, users, items, added, all, Grow(model.UserFactors, users.Count, k, initStdDev, options.Seed, 1), Grow(model.ItemFactors, items.Count, k, initStdDev, options.Seed, 2));
    }

    /// <summary>
    /// The model's seen items at value 1 followed by the new interactions, in the grown index space (which keeps
    /// the model's indices), repeated pairs merged by <paramref name="policy"/>: built from dense indices, so that
    /// no id is looked up again whatever its kind.
    /// </summary>
    private static InteractionMatrix Merge(FactorModel model, InteractionMatrix added, DuplicatePolicy policy)
    {
        int seen = model.SeenItems.Length;
        int total = checked(seen + added.Count);
        var u = new int[total];
        var i = new int[total];
        var v = new float[total];
        for (int user = 0; user < model.Users.Count; user++)
        {
            u.AsSpan(model.SeenPtr[user], model.SeenPtr[user + 1] - model.SeenPtr[user]).Fill(user);
        }
        model.SeenItems.CopyTo(i, 0);
        v.AsSpan(0, seen).Fill(1f);
        added.EntryUsers().CopyTo(u, seen);
        added.UserItems.CopyTo(i, seen);
        added.UserValues.CopyTo(v, seen);
        return InteractionMatrix.FromIndices(added.Users, added.Items, u, i, v, policy);
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
            UserFeatures = Model.UserFeatures,
            ItemFeatures = Model.ItemFeatures,
        };

    private static float[] Grow(float[] factors, int rows, int k, float std, ulong seed, int side)
    {
        var grown = NormalFactors.Create(rows, k, std, seed, side);
        factors.CopyTo(grown, 0);
        return grown;
    }
}
