using GpuMF.Kernels.Sampling;

namespace GpuMF.Data;

/// <summary>Seeded train/test splits of a <see cref="RatingTable"/>.</summary>
public static class Splitter
{
    /// <summary>
    /// Puts a uniformly random <paramref name="testFraction"/> of the rows (0 &lt; fraction &lt; 1) into the test
    /// table; row order within each side follows the input.
    /// </summary>
    public static (RatingTable Train, RatingTable Test) RandomByRating(RatingTable table, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        CheckFraction(testFraction);
        var order = Permutation(table.Count, seed);
        int nTest = (int)(table.Count * testFraction);
        var isTest = new bool[table.Count];
        for (int k = 0; k < nTest; k++)
        {
            isTest[order[k]] = true;
        }
        return Partition(table, isTest);
    }

    /// <summary>
    /// For every user, puts round(<paramref name="testFraction"/> · n_u) of the user's rows, chosen at
    /// random, into the test table (users with one row keep it in train).
    /// </summary>
    public static (RatingTable Train, RatingTable Test) PerUserFraction(RatingTable table, double testFraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        CheckFraction(testFraction);
        var byUser = new Dictionary<long, List<int>>(IdComparer.Instance);
        var users = table.Users;
        for (int k = 0; k < table.Count; k++)
        {
            if (!byUser.TryGetValue(users[k], out var rows))
            {
                byUser[users[k]] = rows = new List<int>();
            }
            rows.Add(k);
        }
        var isTest = new bool[table.Count];
        var rng = new XorShiftRandom(seed, 1);
        foreach (var rows in byUser.Values)
        {
            int nTest = rows.Count < 2 ? 0 : (int)Math.Round(testFraction * rows.Count, MidpointRounding.AwayFromZero);
            for (int k = 0; k < nTest; k++)
            {
                int pick = k + rng.NextInt(rows.Count - k);
                (rows[k], rows[pick]) = (rows[pick], rows[k]);
                isTest[rows[k]] = true;
            }
        }
        return Partition(table, isTest);
    }

    /// <summary>A seeded uniform permutation of 0..n-1 (Fisher–Yates).</summary>
    public static int[] Permutation(int n, ulong seed)
    {
        var p = new int[n];
        for (int k = 0; k < n; k++)
        {
            p[k] = k;
        }
        var rng = new XorShiftRandom(seed, 0);
        for (int k = n - 1; k > 0; k--)
        {
            int j = rng.NextInt(k + 1);
            (p[k], p[j]) = (p[j], p[k]);
        }
        return p;
    }

    private static void CheckFraction(double f)
    {
        if (!(f > 0 && f < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(f), f, "The test fraction must lie strictly between 0 and 1.");
        }
    }

    private static (RatingTable, RatingTable) Partition(RatingTable table, bool[] isTest)
    {
        var train = new List<int>();
        var test = new List<int>();
        for (int k = 0; k < isTest.Length; k++)
        {
            (isTest[k] ? test : train).Add(k);
        }
        return (table.Select(train.ToArray()), table.Select(test.ToArray()));
    }
}
