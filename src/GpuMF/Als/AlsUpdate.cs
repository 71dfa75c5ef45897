using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// ALS's update, on the backend's engine: every user with new interactions is re-solved exactly (the Cholesky
/// solver) against the item factors, then every item those interactions touch against the updated user factors —
/// exactly for items the model did not have, by the model's own solver warm-started from the trained row for the
/// others, as a training iteration would — then those users again, so that each of them solves against the final
/// item factors as a trained user does. Each pass is one half-iteration restricted to the rows it re-solves, so an
/// update costs a few half-iterations, not a training run. A row's full history is its old seen items (value 1: a
/// model keeps which items a user had, not their values) with the new interactions.
/// <see cref="UpdateOptions.FullSweeps"/> adds full iterations over every row.
/// </summary>
internal static class AlsUpdate
{
    public static FactorModel Run(FactorModel model, AlsOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        var growth = ModelGrowth.Of(model, interactions, update, options.InitStdDev);
        var all = growth.All;
        var added = growth.Added;
        var exact = options with { Solver = AlsSolver.Cholesky };
        var users = Enumerable.Range(0, added.UserCount).Where(u => added.UserPtr[u + 1] > added.UserPtr[u]).ToArray();
        var items = Enumerable.Range(0, added.ItemCount).Where(i => added.ItemPtr[i + 1] > added.ItemPtr[i]).ToArray();
        SolveUsers(all, growth.P, growth.Q, users, exact, backend);
        SolveItems(all, growth.P, growth.Q, items.Where(i => i >= model.Items.Count).ToArray(), exact, backend);
        SolveItems(all, growth.P, growth.Q, items.Where(i => i < model.Items.Count).ToArray(), options, backend);
        SolveUsers(all, growth.P, growth.Q, users, exact, backend);
        if (update.FullSweeps > 0)
        {
            using var engine = backend.CreateEngine(new AlsEngineFactory(AlsProblem.Create(all, growth.P, growth.Q, options)));
            for (int sweep = 0; sweep < update.FullSweeps; sweep++)
            {
                engine.RunEpoch(sweep, 0f);
            }
            engine.CopyTo(growth.P, growth.Q);
        }
        return growth.Assemble(growth.P, growth.Q, null, null);
    }

    /// <summary>Re-solves the rows <paramref name="users"/> of <paramref name="p"/> against every item: a users half-iteration over those rows alone.</summary>
    private static void SolveUsers(InteractionMatrix all, float[] p, float[] q, int[] users, AlsOptions options, ComputeBackend backend) =>
        Solve(AlsSide.Users, users, all.UserPtr, all.UserItems, all.UserValues, all.Items, p, q, options, backend);

    /// <summary>Re-solves the rows <paramref name="items"/> of <paramref name="q"/> against every user: an items half-iteration over those rows alone.</summary>
    private static void SolveItems(InteractionMatrix all, float[] p, float[] q, int[] items, AlsOptions options, ComputeBackend backend) =>
        Solve(AlsSide.Items, items, all.ItemPtr, all.ItemUsers, all.ItemValues, all.Users, q, p, options, backend);

    /// <summary>
    /// Re-solves the <paramref name="chosen"/> rows of <paramref name="own"/> (the side <paramref name="side"/>, its CSR
    /// given) against every row of <paramref name="other"/> (whose ids are <paramref name="otherIds"/>): the half-iteration
    /// of a problem that holds only those rows.
    /// </summary>
    private static void Solve(AlsSide side, int[] chosen, int[] ptr, int[] index, float[] values, IdMap otherIds, float[] own, float[] other, AlsOptions options, ComputeBackend backend)
    {
        if (chosen.Length == 0)
        {
            return;
        }
        int k = options.Factors;
        var (rows, cols, vals) = Entries(chosen, ptr, index, values);
        var solved = Gather(own, chosen, k);
        var (sub, x, y) = side == AlsSide.Users
            ? (InteractionMatrix.FromIndices(Dense(chosen.Length), otherIds, rows, cols, vals), solved, other)
            : (InteractionMatrix.FromIndices(otherIds, Dense(chosen.Length), cols, rows, vals), other, solved);
        using (var engine = backend.CreateEngine(new AlsEngineFactory(AlsProblem.Create(sub, x, y, options))))
        {
            engine.Solve(side);
            engine.CopyTo(x, y);
        }
        Scatter(solved, own, chosen, k);
    }

    /// <summary>The entries of the chosen rows of a CSR, the rows renumbered 0.. in the order given.</summary>
    private static (int[] Rows, int[] Index, float[] Values) Entries(int[] chosen, int[] ptr, int[] index, float[] values)
    {
        int count = chosen.Sum(r => ptr[r + 1] - ptr[r]);
        var rows = new int[count];
        var idx = new int[count];
        var vals = new float[count];
        int at = 0;
        for (int n = 0; n < chosen.Length; n++)
        {
            for (int e = ptr[chosen[n]]; e < ptr[chosen[n] + 1]; e++, at++)
            {
                rows[at] = n;
                idx[at] = index[e];
                vals[at] = values[e];
            }
        }
        return (rows, idx, vals);
    }

    /// <summary>Ids for the chosen rows of a restricted problem: only their order matters.</summary>
    private static IdMap Dense(int count) => new(Enumerable.Range(0, count).Select(i => (long)i));

    private static float[] Gather(float[] factors, int[] rows, int k)
    {
        var gathered = new float[(long)rows.Length * k];
        for (int n = 0; n < rows.Length; n++)
        {
            Array.Copy(factors, (long)rows[n] * k, gathered, (long)n * k, k);
        }
        return gathered;
    }

    private static void Scatter(float[] gathered, float[] factors, int[] rows, int k)
    {
        for (int n = 0; n < rows.Length; n++)
        {
            Array.Copy(gathered, (long)n * k, factors, (long)rows[n] * k, k);
        }
    }
}
