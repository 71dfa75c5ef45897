using GpuMF.Data;

namespace GpuMF.Models;

/// <summary>
/// Vectors for new or changed items from their interactions, the user factors fixed: the item-side counterpart of
/// <c>FactorModel.RecalculateUser</c>, by each family's own rule. ALS solves the item's exact
/// confidence-weighted system with the model's α, λ and confidence scaling (the system training solves for each
/// item); SVD the item's exact least-squares minimiser with its bias, under training's λ·n_i; BPR and WARP run
/// epochs of their own loss on the item's row and bias, with negatives drawn from the items each user lacks. The
/// vector is not added to the model: <see cref="FactorModel"/>'s <c>Update</c> adds items.
/// </summary>
public static class ItemFoldIns
{
    extension(FactorModel model)
    {
        /// <summary>The vector of an item with these interactions; unknown users are ignored.</summary>
        /// <param name="interactions">(external user id, rating, count or 1 for a positive) pairs; ALS needs values &gt; 0 and sums repeated users.</param>
        /// <param name="regularization">λ of the least-squares rule of models whose family brings none, &gt; 0 (default 0.1); SVD, ALS, BPR and WARP use their own.</param>
        /// <exception cref="ArgumentException">The model's user ids are strings (use the string overload).</exception>
        public ItemVector RecalculateItem(IEnumerable<(long User, float Value)> interactions, float regularization = 0.1f)
        {
            ArgumentNullException.ThrowIfNull(interactions);
            IdKinds.RequireIntegers(model.Users, "user");
            return Solve(model, Transpose(model), Rows<long>(interactions, model.Users.TryGetIndex), regularization);
        }

        /// <summary>The vector of an item with these interactions, for a model of string user ids; unknown users are ignored.</summary>
        /// <param name="interactions">(external user id, value) pairs, as for the integer overload.</param>
        /// <param name="regularization">As for the integer overload.</param>
        /// <exception cref="ArgumentException">The model's user ids are integers (use the integer overload).</exception>
        public ItemVector RecalculateItem(IEnumerable<(string User, float Value)> interactions, float regularization = 0.1f)
        {
            ArgumentNullException.ThrowIfNull(interactions);
            if (model.Users.Kind != IdKind.Text)
            {
                throw new ArgumentException("The model's user ids are integers: pass them as such.");
            }
            return Solve(model, Transpose(model), Rows<string>(interactions, model.Users.TryGetIndex), regularization);
        }

        /// <summary>
        /// <c>RecalculateItem</c> for many items at once, in parallel, the swapped view of the model and the family's
        /// fixed work (ALS's Gram matrix of the user factors) made once; the result's order follows <paramref name="items"/>.
        /// </summary>
        /// <param name="items">Each item's (external user id, value) pairs.</param>
        /// <param name="regularization">As for <c>RecalculateItem</c>.</param>
        /// <exception cref="ArgumentException">The model's user ids are strings.</exception>
        public IReadOnlyList<ItemVector> RecalculateItems(IReadOnlyList<IEnumerable<(long User, float Value)>> items, float regularization = 0.1f)
        {
            ArgumentNullException.ThrowIfNull(items);
            IdKinds.RequireIntegers(model.Users, "user");
            var transposed = Transpose(model);
            model.FoldIn.Prepare(transposed);
            var result = new ItemVector[items.Count];
            Parallel.For(0, items.Count, n =>
                result[n] = Solve(model, transposed, Rows<long>(items[n] ?? throw new ArgumentNullException(nameof(items), $"Item {n} of the batch is null."), model.Users.TryGetIndex), regularization));
            return result;
        }
    }

    private static ItemVector Solve(FactorModel model, FactorModel transposed, List<(int, float)> rows, float regularization)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(regularization);
        return model.FoldIn.SolveItem(model, transposed, rows, regularization);
    }

    private delegate bool TryIndex<in TId>(TId id, out int index);

    /// <summary>The (dense user, value) pairs of the users <paramref name="find"/> knows; the others are left out.</summary>
    private static List<(int, float)> Rows<TId>(IEnumerable<(TId User, float Value)> interactions, TryIndex<TId> find)
    {
        var rows = new List<(int, float)>();
        foreach (var (user, value) in interactions)
        {
            if (find(user, out int u))
            {
                rows.Add((u, value));
            }
        }
        return rows;
    }

    /// <summary>
    /// The model with users and items swapped, sharing its arrays: the user rules then solve for items. It keeps no
    /// seen lists, which no fold-in rule reads from the side it solves against, and no feature embeddings: its users
    /// are the model's items, which the model's user features do not describe.
    /// </summary>
    private static FactorModel Transpose(FactorModel model) =>
        new(model.Kind, model.Items, model.Users, model.Factors, model.ItemFactors, model.UserFactors, model.ItemBias, model.UserBias,
            model.GlobalMean, new int[model.Items.Count + 1], [], model.OptionsJson)
        { FoldIn = model.FoldIn };
}
