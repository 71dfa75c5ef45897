using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>
/// ALS's update: the exact re-solve (in float64, <see cref="AlsFoldIn"/>) of every user with new interactions
/// against the item factors, then of every item those interactions touch against the updated user factors, then
/// of those users again, so that each of them solves against the final item factors as a trained user does. A
/// user's or item's full history is its old seen items (value 1: a model keeps which items a user had, not
/// their values) with the new interactions. <see cref="UpdateOptions.FullSweeps"/> adds full iterations on the backend.
/// </summary>
internal static class AlsUpdate
{
    public static FactorModel Run(FactorModel model, AlsOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend)
    {
        var growth = ModelGrowth.Of(model, interactions, update, options.InitStdDev);
        var all = growth.All;
        var added = growth.Added;
        int k = model.Factors;
        var users = Enumerable.Range(0, added.UserCount).Where(u => added.UserPtr[u + 1] > added.UserPtr[u]).ToArray();
        var items = Enumerable.Range(0, added.ItemCount).Where(i => added.ItemPtr[i + 1] > added.ItemPtr[i]).ToArray();
        SolveUsers(all, growth.P, growth.Q, k, users, options);
        var userGram = AlsFoldIn.Gram(growth.P, all.UserCount, k);
        Parallel.ForEach(items, i => AlsFoldIn.Solve(userGram, growth.P, k, Row(all.ItemPtr, all.ItemUsers, all.ItemValues, i), options).CopyTo(growth.Q, (long)i * k));
        SolveUsers(all, growth.P, growth.Q, k, users, options);
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

    private static void SolveUsers(InteractionMatrix all, float[] p, float[] q, int k, int[] users, AlsOptions options)
    {
        var itemGram = AlsFoldIn.Gram(q, all.ItemCount, k);
        Parallel.ForEach(users, u => AlsFoldIn.Solve(itemGram, q, k, Row(all.UserPtr, all.UserItems, all.UserValues, u), options).CopyTo(p, (long)u * k));
    }

    private static IEnumerable<(int Index, float Value)> Row(int[] ptr, int[] index, float[] values, int row)
    {
        for (int n = ptr[row]; n < ptr[row + 1]; n++)
        {
            yield return (index[n], values[n]);
        }
    }
}
