using GpuMF.Kernels.Sampling;

namespace GpuMF.Data;

/// <summary>
/// Deterministic synthetic interaction data with power-law (Zipf-like) item popularity and user
/// activity, for benchmarks at sizes no public set in reach provides.
/// </summary>
public static class SyntheticData
{
    /// <summary>The sizes named by the benchmark protocol.</summary>
    /// <param name="name">
    /// <c>ml20m-like</c> (138,493 users × 26,744 items, 10M positives), <c>netflix-like</c> (480,189 × 17,770,
    /// 100M ratings 1..5) or <c>square-1m</c> (1,000,000 × 1,000,000, 10M positives: batch scoring at a size
    /// whose scores, 4 TB, no device holds).
    /// </param>
    public static (int Users, int Items, long Interactions, bool Explicit) Preset(string name) => name switch
    {
        "ml20m-like" => (138_493, 26_744, 10_000_000, false),
        "netflix-like" => (480_189, 17_770, 100_000_000, true),
        "square-1m" => (1_000_000, 1_000_000, 10_000_000, false),
        _ => throw new ArgumentException($"Unknown synthetic preset '{name}': expected ml20m-like, netflix-like or square-1m."),
    };

    /// <summary>
    /// Generates about <paramref name="interactions"/> distinct (user, item) pairs. Item popularity and user
    /// activity follow Zipf weights 1/rank^<paramref name="exponent"/> (default 1) over seeded random ranks.
    /// Explicit data gets ratings 1..5 from a hidden rank-8 model plus noise; implicit data gets value 1.
    /// External ids are 1..n.
    /// </summary>
    public static InteractionMatrix Generate(int users, int items, long interactions, bool explicitRatings, ulong seed, double exponent = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(interactions, 1);
        if (interactions > (long)users * Math.Max(1, items / 10) || interactions > int.MaxValue - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interactions), interactions, "Too many interactions for the matrix size (at most a tenth of the cells, and below 2^31).");
        }
        double[] itemCdf = ZipfCdf(items, exponent, Splitter.Permutation(items, seed ^ 0xA1));
        double[] userWeight = ZipfWeights(users, exponent, Splitter.Permutation(users, seed ^ 0xB2));
        // A tenth of the catalogue keeps rejection sampling of distinct Zipf items cheap for the heaviest users.
        int maxPerUser = Math.Max(1, items / 10);
        var counts = ActivityCounts(userWeight, interactions, maxPerUser);
        var offsets = new long[users + 1];
        for (int u = 0; u < users; u++)
        {
            offsets[u + 1] = offsets[u] + counts[u];
        }
        var uIdx = new int[offsets[users]];
        var iIdx = new int[offsets[users]];
        var vals = new float[offsets[users]];
        const int rank = 8;
        // Drawn once per item rather than per rating: the draw costs more than the rating it feeds.
        var itemHidden = new float[explicitRatings ? items * rank : 0];
        for (int n = 0; n < itemHidden.Length; n++)
        {
            itemHidden[n] = HiddenFactor(seed, n / rank, n % rank, 1);
        }
        Parallel.For(0, users, () => new HashSet<int>(), (u, _, seen) =>
        {
            seen.Clear();
            var rng = new XorShiftRandom(seed, (ulong)u + 7);
            Span<float> pu = stackalloc float[rank];
            for (int f = 0; f < rank; f++)
            {
                pu[f] = HiddenFactor(seed, u, f, 0);
            }
            long at = offsets[u];
            while (seen.Count < counts[u])
            {
                int i = Array.BinarySearch(itemCdf, rng.NextFloat() * itemCdf[^1]);
                i = i < 0 ? Math.Min(~i, items - 1) : i;
                if (!seen.Add(i))
                {
                    continue;
                }
                uIdx[at] = u;
                iIdx[at] = i;
                if (explicitRatings)
                {
                    float dot = 0;
                    for (int f = 0; f < rank; f++)
                    {
                        dot += pu[f] * itemHidden[i * rank + f];
                    }
                    vals[at] = Math.Clamp(MathF.Round(3.6f + 1.2f * dot + 0.5f * rng.NextGaussian()), 1f, 5f);
                }
                else
                {
                    vals[at] = 1f;
                }
                at++;
            }
            return seen;
        }, _ => { });
        var userMap = new IdMap(Enumerable.Range(1, users).Select(x => (long)x));
        var itemMap = new IdMap(Enumerable.Range(1, items).Select(x => (long)x));
        return InteractionMatrix.FromIndices(userMap, itemMap, uIdx, iIdx, vals);
    }

    private static int[] ActivityCounts(double[] weight, long target, int max)
    {
        // Capping heavy users loses mass, so search the scale that brings the capped total to the target.
        double lo = target, hi = target * 64.0;
        var counts = new int[weight.Length];
        for (int iter = 0; iter < 60; iter++)
        {
            double mid = 0.5 * (lo + hi);
            long total = Fill(weight, mid, max, counts);
            if (total < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        Fill(weight, hi, max, counts);
        return counts;
    }

    private static long Fill(double[] weight, double scale, int max, int[] counts)
    {
        long total = 0;
        for (int u = 0; u < weight.Length; u++)
        {
            counts[u] = (int)Math.Clamp(Math.Round(weight[u] * scale), 1, max);
            total += counts[u];
        }
        return total;
    }

    private static float HiddenFactor(ulong seed, int row, int f, int side)
    {
        var rng = new XorShiftRandom(seed ^ (ulong)(side + 1) * 0x5851F42D4C957F2DUL, ((ulong)(uint)row << 8) | (uint)f);
        return rng.NextGaussian() / MathF.Sqrt(8);
    }

    private static double[] ZipfWeights(int n, double exponent, int[] rankOf)
    {
        var w = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            w[k] = 1.0 / Math.Pow(rankOf[k] + 1, exponent);
            sum += w[k];
        }
        for (int k = 0; k < n; k++)
        {
            w[k] /= sum;
        }
        return w;
    }

    private static double[] ZipfCdf(int n, double exponent, int[] rankOf)
    {
        double[] w = ZipfWeights(n, exponent, rankOf);
        for (int k = 1; k < n; k++)
        {
            w[k] += w[k - 1];
        }
        return w;
    }
}
