using GpuMF.Data;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;

namespace GpuMF.Tests.Scoring;

/// <summary>Factor models with seeded random factors and seen lists, for scoring tests.</summary>
public static class RandomModels
{
    /// <summary>
    /// A model of <paramref name="users"/> × <paramref name="items"/> with external ids 1000 + index (users)
    /// and 5000 + index (items). Integer factors in {−2..2} make every score exact, so ties are real and
    /// frequent. About one item in <paramref name="seenEvery"/> is a training item of each user (0: none).
    /// </summary>
    public static FactorModel Create(int users, int items, int factors, ulong seed, bool integral = false, bool bias = true, int seenEvery = 6)
    {
        var rng = new XorShiftRandom(seed, 11);
        float Draw() => integral ? rng.NextInt(5) - 2 : rng.NextGaussian();
        var p = new float[users * factors];
        var q = new float[items * factors];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = Draw();
        }
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = Draw();
        }
        float[]? itemBias = null;
        if (bias)
        {
            itemBias = new float[items];
            for (int i = 0; i < items; i++)
            {
                itemBias[i] = integral ? rng.NextInt(3) - 1 : 0.2f * rng.NextGaussian();
            }
        }
        var ptr = new int[users + 1];
        var seen = new List<int>();
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; seenEvery > 0 && i < items; i++)
            {
                if (rng.NextInt(seenEvery) == 0)
                {
                    seen.Add(i);
                }
            }
            ptr[u + 1] = seen.Count;
        }
        return new FactorModel(bias ? ModelKind.Bpr : ModelKind.Als, new IdMap(Enumerable.Range(1000, users).Select(x => (long)x)), new IdMap(Enumerable.Range(5000, items).Select(x => (long)x)),
            factors, p, q, null, itemBias, 0f, ptr, seen.ToArray(), "{}");
    }

    /// <summary>
    /// The reference answer by brute force: every admissible item's score in double precision, sorted by
    /// score descending then index ascending, the first <paramref name="n"/> kept.
    /// </summary>
    public static (int Index, double Score)[] FullSort(FactorModel model, int u, int n, bool filterSeen, Func<int, bool>? allowed = null)
    {
        var seen = filterSeen ? model.SeenItems.AsSpan(model.SeenPtr[u], model.SeenPtr[u + 1] - model.SeenPtr[u]).ToArray() : [];
        var all = new List<(int Index, double Score)>();
        for (int i = 0; i < model.Items.Count; i++)
        {
            if (Array.BinarySearch(seen, i) >= 0 || (allowed is not null && !allowed(i)))
            {
                continue;
            }
            double s = model.ItemBias?[i] ?? 0;
            for (int f = 0; f < model.Factors; f++)
            {
                s += (double)model.UserFactors[u * model.Factors + f] * model.ItemFactors[i * model.Factors + f];
            }
            all.Add((i, s));
        }
        return all.OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(n).ToArray();
    }
}
