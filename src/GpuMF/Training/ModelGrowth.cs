using System.Runtime.CompilerServices;
using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// A trained model grown by new interactions: its id maps with the new users and items appended, its factor
/// rows with small normal rows for the newcomers, the new interactions as a matrix in the grown index space, and
/// each user's seen items extended by them. Everything here costs time in proportion to the new interactions and
/// rows, or is one linear copy of what the model holds (its factors and seen lists, which the new model needs as
/// its own since the old one stays as it is): nothing is sorted or looked up again but the new interactions.
/// </summary>
internal sealed class ModelGrowth
{
    private ModelGrowth(FactorModel model, IdMap users, IdMap items, InteractionMatrix added, int[] seenPtr, int[] seenItems, float[] seenValues, float[] p, float[] q)
    {
        Model = model;
        Users = users;
        Items = items;
        Added = added;
        SeenPtr = seenPtr;
        SeenItems = seenItems;
        SeenValues = seenValues;
        P = p;
        Q = q;
    }

    public FactorModel Model { get; }

    public IdMap Users { get; }

    public IdMap Items { get; }

    /// <summary>The new interactions, in the grown index space.</summary>
    public InteractionMatrix Added { get; }

    /// <summary>Offsets of each grown user's row in <see cref="SeenItems"/>.</summary>
    public int[] SeenPtr { get; }

    /// <summary>What the grown model has seen, each user's items ascending: the old seen items and the new interactions, repeated pairs merged.</summary>
    public int[] SeenItems { get; }

    /// <summary>
    /// The value of each entry of <see cref="SeenItems"/>: 1 for what the model had seen (a model keeps which items
    /// a user had, not their values), the new value for a new pair, and for a pair in both the two merged by the
    /// update's policy (<see cref="DuplicatePolicy.Reject"/>, which refuses repeats within the new interactions only, sums them).
    /// </summary>
    public float[] SeenValues { get; }

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
        var (ptr, seen, values) = Merge(model, added, options.Duplicates == DuplicatePolicy.KeepLast);
        int k = model.Factors;
        return new ModelGrowth(model, users, items, added, ptr, seen, values, Grow(model.UserFactors, users.Count, k, initStdDev, options.Seed, 1), Grow(model.ItemFactors, items.Count, k, initStdDev, options.Seed, 2));
    }

    /// <summary>
    /// Each user's seen items merged with the new ones, row by row in one pass: both are ascending (a model's seen
    /// lists are, and <see cref="InteractionMatrix"/> sorts its rows), so a row is a merge, and a row without new
    /// interactions a copy. A pair in both takes the new value when <paramref name="keepLast"/>, else 1 plus it.
    /// Compiled optimised at once: an update runs it once per process, over every seen item, where the first,
    /// unoptimised compilation of a loop costs several times the loop itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Ptr, int[] Items, float[] Values) Merge(FactorModel model, InteractionMatrix added, bool keepLast)
    {
        int oldUsers = model.Users.Count;
        int rows = added.UserCount;
        var oldPtr = model.SeenPtr;
        var oldItems = model.SeenItems;
        var ptr = new int[rows + 1];
        var items = new int[checked(oldItems.Length + added.Count)];
        var values = new float[items.Length];
        int at = 0;
        for (int u = 0; u < rows; u++)
        {
            var mine = u < oldUsers ? Ascending(oldItems.AsSpan(oldPtr[u], oldPtr[u + 1] - oldPtr[u])) : [];
            var theirs = added.ItemsOf(u);
            var their = added.ValuesOf(u);
            if (theirs.IsEmpty)
            {
                mine.CopyTo(items.AsSpan(at));
                values.AsSpan(at, mine.Length).Fill(1f);
                at += mine.Length;
                ptr[u + 1] = at;
                continue;
            }
            int a = 0, b = 0;
            while (a < mine.Length || b < theirs.Length)
            {
                if (b == theirs.Length || (a < mine.Length && mine[a] < theirs[b]))
                {
                    items[at] = mine[a++];
                    values[at++] = 1f;
                }
                else if (a == mine.Length || theirs[b] < mine[a])
                {
                    items[at] = theirs[b];
                    values[at++] = their[b++];
                }
                else
                {
                    items[at] = theirs[b];
                    values[at++] = keepLast ? their[b] : 1f + their[b];
                    a++;
                    b++;
                }
            }
            ptr[u + 1] = at;
        }
        return at == items.Length ? (ptr, items, values) : (ptr, items[..at], values[..at]);
    }

    /// <summary>
    /// The row itself when it is ascending (as every model built by training or read from a file has it), else a sorted
    /// copy. Compiled optimised at once: an update calls it once per user, too few times within one update for the
    /// runtime to replace its first, unoptimised compilation, which made the first update's merge several times slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<int> Ascending(ReadOnlySpan<int> row)
    {
        for (int n = 1; n < row.Length; n++)
        {
            if (row[n] <= row[n - 1])
            {
                var sorted = row.ToArray();
                Array.Sort(sorted);
                return sorted.AsSpan(0, sorted.Length - Duplicates(sorted));
            }
        }
        return row;
    }

    /// <summary>Moves the distinct values of a sorted array to its front; returns how many repeats were dropped.</summary>
    private static int Duplicates(int[] sorted)
    {
        int w = 0;
        for (int n = 0; n < sorted.Length; n++)
        {
            if (w == 0 || sorted[n] != sorted[w - 1])
            {
                sorted[w++] = sorted[n];
            }
        }
        return sorted.Length - w;
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

    /// <summary>The grown model: the given factors and biases, the grown maps, and the merged seen items.</summary>
    public FactorModel Assemble(float[] p, float[] q, float[]? userBias, float[]? itemBias) =>
        new(Model.Kind, Users, Items, Model.Factors, p, q, userBias, itemBias, Model.GlobalMean, SeenPtr, SeenItems, Model.OptionsJson)
        {
            FoldIn = Model.FoldIn,
            UserFeatures = Model.UserFeatures,
            ItemFeatures = Model.ItemFeatures,
        };

    /// <summary>The trained rows, then N(0, std²) rows for the newcomers from stream <paramref name="side"/> of <paramref name="seed"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] Grow(float[] factors, int rows, int k, float std, ulong seed, int side)
    {
        var grown = new float[(long)rows * k];
        factors.CopyTo(grown, 0);
        var rng = new XorShiftRandom(seed, (ulong)side);
        for (long n = factors.LongLength; n < grown.LongLength; n++)
        {
            grown[n] = rng.NextGaussian() * std;
        }
        return grown;
    }
}
