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
        var isTest = new bool[table.Count];
        var rng = new XorShiftRandom(seed, 1);
        foreach (var rows in RowsByUser(table))
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

    /// <summary>
    /// A global cut in time: the rows stamped before <paramref name="before"/> (seconds since the Unix epoch) go to
    /// train, the rest (at or after it) to test, so that the model sees only the past of what it is judged on.
    /// Either side may come out empty; row order within each side follows the input.
    /// </summary>
    /// <exception cref="ArgumentException">The table has no timestamps (<see cref="RatingTable.HasTimes"/>).</exception>
    public static (RatingTable Train, RatingTable Test) ByTime(RatingTable table, long before)
    {
        var times = TimesOf(table);
        var isTest = new bool[table.Count];
        for (int k = 0; k < table.Count; k++)
        {
            isTest[k] = times[k] >= before;
        }
        return Partition(table, isTest);
    }

    /// <summary>
    /// Leave-last-N: each user's <paramref name="n"/> latest rows (n ≥ 1) go to test, the rest to train. Rows of one
    /// user with the same timestamp are ordered as they occur in the table, so the later row counts as the later
    /// interaction and the split is deterministic. A user with n rows or fewer keeps at least one in train (the
    /// earliest), and a user with one row keeps it there, so every test user has a history to be judged from.
    /// </summary>
    /// <exception cref="ArgumentException">The table has no timestamps.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    public static (RatingTable Train, RatingTable Test) LastPerUser(RatingTable table, int n)
    {
        long[] times = TimesOf(table).ToArray();
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var isTest = new bool[table.Count];
        foreach (var rows in RowsByUser(table))
        {
            // Stable by construction: the row index breaks ties in time.
            rows.Sort((a, b) => times[a] != times[b] ? times[a].CompareTo(times[b]) : a.CompareTo(b));
            int nTest = Math.Min(n, rows.Count - 1);
            for (int k = rows.Count - nTest; k < rows.Count; k++)
            {
                isTest[rows[k]] = true;
            }
        }
        return Partition(table, isTest);
    }

    /// <summary>
    /// The random counterpart of <see cref="LastPerUser"/>: each user's test rows are <paramref name="n"/> (n ≥ 1)
    /// of the user's rows chosen uniformly at random, with the same counts (at most all but one), so that the two
    /// splits differ only in which rows are held out. Needs no timestamps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    public static (RatingTable Train, RatingTable Test) RandomPerUser(RatingTable table, int n, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var isTest = new bool[table.Count];
        var rng = new XorShiftRandom(seed, 2);
        foreach (var rows in RowsByUser(table))
        {
            int nTest = Math.Min(n, rows.Count - 1);
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

    /// <summary>The row indices of each user, in row order; users in order of first appearance.</summary>
    private static List<List<int>> RowsByUser(RatingTable table)
    {
        var byUser = new Dictionary<long, List<int>>(IdComparer.Instance);
        var groups = new List<List<int>>();
        var users = table.Users;
        for (int k = 0; k < table.Count; k++)
        {
            if (!byUser.TryGetValue(users[k], out var rows))
            {
                byUser[users[k]] = rows = new List<int>();
                groups.Add(rows);
            }
            rows.Add(k);
        }
        return groups;
    }

    private static ReadOnlySpan<long> TimesOf(RatingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!table.HasTimes)
        {
            throw new ArgumentException("The table has no timestamps: read it with a time column to split it by time.", nameof(table));
        }
        return table.Times;
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
