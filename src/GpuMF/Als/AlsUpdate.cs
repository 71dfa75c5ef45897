using System.Runtime.CompilerServices;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// ALS's update, on the backend's engine, re-solving only the rows the new interactions touch, each against
/// every row of the other side (whose Gram matrix costs k² per row, not per interaction). New users and new items
/// have no trained row: a first pass of the model's own solver gives them one, so that the model's own items the new
/// interactions touch, and then its own users, can be re-solved against them, each warm-started from the trained
/// row (<see cref="TrainedRowSteps"/>); then the new rows are solved again against the final other side, as a trained
/// row is, warm-started from the first pass (<see cref="NewRowFinalSteps"/>). A row's full history is its old seen items (value 1: a model keeps which items a
/// user had, not their values) with the new interactions. Each pass is a half-iteration restricted to the rows it
/// re-solves, built from those rows' entries alone, so an update costs a few such passes and one linear scan of
/// the seen lists, not a training run. <see cref="UpdateOptions.FullSweeps"/> adds full iterations over every row.
/// </summary>
internal static class AlsUpdate
{
    /// <summary>
    /// CG steps for a trained row the new interactions touch (when the model's solver is CG): one, warm-started from
    /// the row, which already solves nearly the same system. On ML-1M (<c>update</c> bench) one step left P@10 0.6 %
    /// (new users) and 0.8 % (new items) below a full retrain's, the model's three 1.5 % and 0.6 %, in about a quarter less time for new users.
    /// </summary>
    internal const int TrainedRowSteps = 1;

    /// <summary>
    /// The new rows' last solve, against the final other side, takes this many times the model's CG steps, warm-started
    /// from the first pass's row (a model whose solver is Cholesky solves exactly both times). On ML-1M (<c>update</c>
    /// bench) twice the model's three steps left P@10 where an exact Cholesky solve did (new users 0.2575, new items 0.2632
    /// against 0.2631) for less work: a Cholesky solve builds and factors the row's own k × k system (k² per entry and
    /// k³/3), where a CG step is one product with the shared Gram matrix (k²) and one pass over the row's entries (2k per
    /// entry). The model's three steps alone left new users 0.3 % lower (0.2566).
    /// </summary>
    internal const int NewRowFinalSteps = 2;

    /// <summary>The most CG steps <see cref="AlsOptions.CgSteps"/> allows.</summary>
    private const int MaxCgSteps = 1024;

    public static FactorModel Run(FactorModel model, AlsOptions stored, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        // The rows are the model's: a model built by hand may store options of another width.
        var options = stored with { Factors = model.Factors };
        var growth = ModelGrowth.Of(model, interactions, update, options.InitStdDev);
        RequirePositive(growth.Added);
        var added = growth.Added;
        int userCount = growth.Users.Count;
        int itemCount = growth.Items.Count;
        var (newUsers, oldUsers) = Touched(added.UserPtr, model.Users.Count);
        var (newItems, oldItems) = Touched(added.ItemPtr, model.Items.Count);
        var newUserRows = Rows(AlsSide.Users, newUsers, growth, options);
        var newItemRows = Rows(AlsSide.Items, newItems, growth, options);
        Solve(newUserRows, growth, backend);
        Solve(newItemRows, growth, backend);
        var trained = options with { CgSteps = TrainedRowSteps };
        Solve(Rows(AlsSide.Items, oldItems, growth, trained), growth, backend);
        Solve(Rows(AlsSide.Users, oldUsers, growth, trained), growth, backend);
        var final = options with { CgSteps = Math.Min(MaxCgSteps, NewRowFinalSteps * options.CgSteps) };
        Solve(newUserRows with { Options = final }, growth, backend);
        Solve(newItemRows with { Options = final }, growth, backend);
        if (update.FullSweeps > 0)
        {
            var every = Rows(AlsSide.Users, [.. Enumerable.Range(0, userCount)], growth, options);
            var problem = new AlsProblem(userCount, itemCount, every.Ptr, every.Index, every.Confidence, every.OtherPtr, every.OtherIndex, every.OtherConfidence, growth.P, growth.Q, options);
            using var engine = backend.CreateEngine(new AlsEngineFactory(problem));
            for (int sweep = 0; sweep < update.FullSweeps; sweep++)
            {
                engine.RunEpoch(sweep, 0f);
            }
            engine.CopyTo(growth.P, growth.Q);
        }
        return growth.Assemble(growth.P, growth.Q, null, null);
    }

    /// <summary>
    /// Some rows of one side with their full histories (CSR over the chosen rows, in their order), the same entries
    /// by the other side's rows (CSR over every row there, indices into the chosen rows), and the options that solve them.
    /// </summary>
    private sealed record ChosenRows(AlsSide Side, int[] Chosen, int[] Ptr, int[] Index, float[] Confidence, int[] OtherPtr, int[] OtherIndex, float[] OtherConfidence, AlsOptions Options);

    /// <summary>The rows <paramref name="ptr"/> gives entries, split into those of the model (below <paramref name="trained"/>) and the new ones.</summary>
    private static (int[] New, int[] Old) Touched(int[] ptr, int trained)
    {
        var fresh = new List<int>();
        var old = new List<int>();
        for (int r = 0; r + 1 < ptr.Length; r++)
        {
            if (ptr[r + 1] > ptr[r])
            {
                (r < trained ? old : fresh).Add(r);
            }
        }
        return ([.. fresh], [.. old]);
    }

    /// <summary>
    /// The full histories of the <paramref name="chosen"/> rows of <paramref name="side"/>: for users, their rows of the
    /// merged seen lists; for items, their columns, gathered in one scan of those lists.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ChosenRows Rows(AlsSide side, int[] chosen, ModelGrowth growth, AlsOptions options)
    {
        var seenPtr = growth.SeenPtr;
        var seen = growth.SeenItems;
        var values = growth.SeenValues;
        int users = growth.Users.Count;
        // Most entries are the model's own, of value 1: their confidence computed once spares the first update half a
        // million calls of ConfidenceOf, unoptimised until the runtime recompiles it.
        float seenConfidence = options.ConfidenceOf(1f);
        var ptr = new int[chosen.Length + 1];
        if (chosen.Length == 0)
        {
            return new ChosenRows(side, chosen, ptr, [], [], new int[(side == AlsSide.Users ? growth.Items.Count : users) + 1], [], [], options);
        }
        if (side == AlsSide.Users)
        {
            for (int n = 0; n < chosen.Length; n++)
            {
                ptr[n + 1] = ptr[n] + seenPtr[chosen[n] + 1] - seenPtr[chosen[n]];
            }
            var index = new int[ptr[^1]];
            var confidence = new float[ptr[^1]];
            for (int n = 0; n < chosen.Length; n++)
            {
                int from = seenPtr[chosen[n]];
                for (int e = 0; e < ptr[n + 1] - ptr[n]; e++)
                {
                    index[ptr[n] + e] = seen[from + e];
                    float value = values[from + e];
                    confidence[ptr[n] + e] = value == 1f ? seenConfidence : options.ConfidenceOf(value);
                }
            }
            var (tPtr, tIndex, tConfidence) = Transpose(ptr, index, confidence, growth.Items.Count);
            return new ChosenRows(side, chosen, ptr, index, confidence, tPtr, tIndex, tConfidence, options);
        }
        // One pass counts the chosen items' entries by item and by user, the next writes both CSRs: the scan goes
        // user by user, so each user's entries come out in item order and each item's in user order.
        var slot = new int[growth.Items.Count];
        Array.Fill(slot, -1);
        for (int n = 0; n < chosen.Length; n++)
        {
            slot[chosen[n]] = n;
        }
        var userPtr = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            int count = 0;
            for (int e = seenPtr[u]; e < seenPtr[u + 1]; e++)
            {
                int s = slot[seen[e]];
                if (s >= 0)
                {
                    ptr[s + 1]++;
                    count++;
                }
            }
            userPtr[u + 1] = userPtr[u] + count;
        }
        for (int n = 0; n < chosen.Length; n++)
        {
            ptr[n + 1] += ptr[n];
        }
        var fill = ptr[..^1];
        var itemUsers = new int[ptr[^1]];
        var itemConfidence = new float[ptr[^1]];
        var userItems = new int[ptr[^1]];
        var userConfidence = new float[ptr[^1]];
        int at = 0;
        for (int u = 0; u < users; u++)
        {
            for (int e = seenPtr[u]; e < seenPtr[u + 1]; e++)
            {
                int s = slot[seen[e]];
                if (s >= 0)
                {
                    float c = values[e] == 1f ? seenConfidence : options.ConfidenceOf(values[e]);
                    int to = fill[s]++;
                    itemUsers[to] = u;
                    itemConfidence[to] = c;
                    userItems[at] = s;
                    userConfidence[at++] = c;
                }
            }
        }
        return new ChosenRows(side, chosen, ptr, itemUsers, itemConfidence, userPtr, userItems, userConfidence, options);
    }

    /// <summary>
    /// Re-solves the chosen rows against every row of the other side: the half-iteration of a problem that holds
    /// only those rows and their entries (its other side's CSR is their transpose, which engines that split rows read).
    /// </summary>
    private static void Solve(ChosenRows rows, ModelGrowth growth, ComputeBackend backend)
    {
        if (rows.Chosen.Length == 0)
        {
            return;
        }
        int k = rows.Options.Factors;
        bool users = rows.Side == AlsSide.Users;
        var own = users ? growth.P : growth.Q;
        var other = users ? growth.Q : growth.P;
        int otherCount = users ? growth.Items.Count : growth.Users.Count;
        var solved = new float[(long)rows.Chosen.Length * k];
        for (int n = 0; n < rows.Chosen.Length; n++)
        {
            Array.Copy(own, (long)rows.Chosen[n] * k, solved, (long)n * k, k);
        }
        var problem = users
            ? new AlsProblem(rows.Chosen.Length, otherCount, rows.Ptr, rows.Index, rows.Confidence, rows.OtherPtr, rows.OtherIndex, rows.OtherConfidence, solved, other, rows.Options)
            : new AlsProblem(otherCount, rows.Chosen.Length, rows.OtherPtr, rows.OtherIndex, rows.OtherConfidence, rows.Ptr, rows.Index, rows.Confidence, other, solved, rows.Options);
        using (var engine = backend.CreateEngine(new AlsEngineFactory(problem)))
        {
            engine.Solve(rows.Side);
            engine.CopyTo(problem.UserFactors, problem.ItemFactors);
        }
        for (int n = 0; n < rows.Chosen.Length; n++)
        {
            Array.Copy(solved, (long)n * k, own, (long)rows.Chosen[n] * k, k);
        }
    }

    /// <summary>The CSR of the transpose, with <paramref name="columns"/> rows: a counting pass, so that each row's entries come out ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int[] Ptr, int[] Index, float[] Values) Transpose(int[] ptr, int[] index, float[] values, int columns)
    {
        var tPtr = new int[columns + 1];
        foreach (int c in index)
        {
            tPtr[c + 1]++;
        }
        for (int c = 0; c < columns; c++)
        {
            tPtr[c + 1] += tPtr[c];
        }
        var fill = tPtr[..^1];
        var tIndex = new int[index.Length];
        var tValues = new float[index.Length];
        for (int r = 0; r + 1 < ptr.Length; r++)
        {
            for (int e = ptr[r]; e < ptr[r + 1]; e++)
            {
                int at = fill[index[e]]++;
                tIndex[at] = r;
                tValues[at] = values[e];
            }
        }
        return (tPtr, tIndex, tValues);
    }

    /// <summary>ALS weighs an entry by a confidence that grows with its value: a new value must be positive and finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RequirePositive(InteractionMatrix added)
    {
        for (int u = 0; u < added.UserCount; u++)
        {
            var items = added.ItemsOf(u);
            var values = added.ValuesOf(u);
            for (int n = 0; n < values.Length; n++)
            {
                if (!(values[n] > 0) || !float.IsFinite(values[n]))
                {
                    throw new ArgumentException($"ALS needs positive interaction values (counts, ratings or 1 for a positive); user {added.Users.Text(u)}, item {added.Items.Text(items[n])} has {values[n]}.", "interactions");
                }
            }
        }
    }
}
