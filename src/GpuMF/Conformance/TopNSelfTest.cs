using System.Diagnostics;
using GpuMF.Backends;
using GpuMF.Kernels.Sampling;
using GpuMF.Kernels.TopN;
using GpuMF.TopN;

namespace GpuMF.Conformance;

/// <summary>
/// Checks the top-N kernels on an ILGPU backend, the blocked ones (<see cref="TopNKernels"/>) and the fused
/// ones (<see cref="FusedTopNKernels"/>), against the managed CPU path on seeded random inputs;
/// <see cref="KernelSelfTest.Run"/> runs a few cases.
/// </summary>
public static class TopNSelfTest
{
    /// <summary>
    /// Scores every query row (in reverse order, plus one repeat) on the CPU path and with each kernel, and
    /// returns the largest over both kernels of:
    /// the relative difference of the two paths' scores rank by rank, and of each returned score from the
    /// exact score of the candidate returned. A list of another length, a candidate returned twice or one
    /// that should have been filtered out, or (with integer factors, whose scores are exact so ties are
    /// real) any candidate other than the CPU path's, makes the error infinite.
    /// </summary>
    /// <param name="backend">An ILGPU backend.</param>
    /// <param name="queries">Query rows, ≥ 1.</param>
    /// <param name="candidates">Candidate rows, ≥ 1 (ignored with <paramref name="similarity"/>: the queries are the candidates).</param>
    /// <param name="factors">Factors per row, ≥ 1.</param>
    /// <param name="n">Candidates kept per row, 1..1000.</param>
    /// <param name="seed">Seed of the inputs.</param>
    /// <param name="integral">Factors drawn from {−2..2}, so that scores are exact and tie often.</param>
    /// <param name="filters">Candidate biases, a random allow-list and per-row exclusion lists.</param>
    /// <param name="similarity">Queries against themselves, each row leaving itself out.</param>
    /// <param name="tileItems">Candidates per device tile of the blocked kernels; 0 for the device's default.</param>
    /// <param name="maxRows">Rows per device chunk of either; 0 for the device's default.</param>
    public static SelfTestResult Check(ComputeBackend backend, int queries, int candidates, int factors, int n, ulong seed,
        bool integral = false, bool filters = true, bool similarity = false, int tileItems = 0, int maxRows = 0)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var problem = RandomProblem(queries, similarity ? queries : candidates, factors, seed, integral, filters, similarity);
        var rows = Enumerable.Range(0, queries).Reverse().Append(queries / 2).ToArray();
        var expected = new TopNBuffer(rows.Length, n);
        var packed = PackedCandidates.Create(problem.Candidates, problem.CandidateCount, factors, problem.CandidateBias, problem.Allowed,
            PackedCandidates.RootMeanSquareNorm(problem.Queries, queries, factors));
        new CpuTopNEngine(problem, packed, Math.Max(1, backend.Threads)).Run(rows, expected);
        var blocked = new TopNBuffer(rows.Length, n);
        var fused = new TopNBuffer(rows.Length, n);
        var clock = Stopwatch.StartNew();
        using (var engine = new IlgpuTopNEngine(backend, problem, tileItems, maxRows))
        {
            engine.Run(rows, blocked);
        }
        using (var engine = new FusedTopNEngine(backend, problem, maxRows))
        {
            engine.Run(rows, fused);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string shape = $"{queries}×{problem.CandidateCount}, k={factors}, n={n}{(integral ? ", integer" : "")}{(filters ? ", filtered" : "")}{(similarity ? ", self" : "")}{(tileItems > 0 ? $", tiles of {tileItems}" : "")}{(maxRows > 0 ? $", chunks of {maxRows}" : "")}, blocked and fused";
        double error = Math.Max(Error(problem, rows, expected, blocked, integral), Error(problem, rows, expected, fused, integral));
        return new SelfTestResult("top-n", shape, error, 1e-4, seconds);
    }

    private static double Error(TopNProblem problem, int[] rows, TopNBuffer expected, TopNBuffer actual, bool integral)
    {
        double error = 0;
        var seen = new HashSet<int>();
        for (int r = 0; r < rows.Length; r++)
        {
            if (actual.Counts[r] != expected.Counts[r])
            {
                return double.PositiveInfinity;
            }
            seen.Clear();
            for (int c = 0; c < actual.Counts[r]; c++)
            {
                long at = (long)r * actual.N + c;
                int index = actual.Indices[at];
                if (index < 0 || index >= problem.CandidateCount || !seen.Add(index) || !Admissible(problem, rows[r], index)
                    || (integral && index != expected.Indices[at]))
                {
                    return double.PositiveInfinity;
                }
                float score = actual.Scores[at];
                error = Math.Max(error, Relative(score, expected.Scores[at]));
                error = Math.Max(error, Relative(score, ExactScore(problem, rows[r], index)));
            }
        }
        return error;
    }

    private static double Relative(double a, double b)
    {
        double e = Math.Abs(a - b) / Math.Max(Math.Abs(b), 1.0);
        return double.IsFinite(e) ? e : double.PositiveInfinity;
    }

    /// <summary>True when <paramref name="candidate"/> may appear in <paramref name="query"/>'s list: allowed, not the query itself in a similarity problem, not excluded.</summary>
    internal static bool Admissible(TopNProblem problem, int query, int candidate) =>
        (problem.Allowed is null || problem.Allowed[candidate])
        && !(problem.ExcludeSelf && candidate == query)
        && problem.ExcludedOf(query).BinarySearch(candidate) < 0;

    /// <summary>The score of (query, candidate) in float64, the reference the kernels' float scores are judged against.</summary>
    internal static double ExactScore(TopNProblem problem, int query, int candidate)
    {
        int k = problem.Factors;
        double s = problem.CandidateBias?[candidate] ?? 0;
        for (int f = 0; f < k; f++)
        {
            s += (double)problem.Queries[query * k + f] * problem.Candidates[candidate * k + f];
        }
        return s;
    }

    /// <summary>
    /// Seeded random factors (integers in −2..2, or normal), and with <paramref name="filters"/> a bias per candidate,
    /// an allow-list of about four candidates in five and an ascending exclusion list per query (about one candidate
    /// in eight); with <paramref name="similarity"/> the queries against themselves, without biases.
    /// </summary>
    internal static TopNProblem RandomProblem(int queries, int candidates, int factors, ulong seed, bool integral, bool filters, bool similarity)
    {
        var rng = new XorShiftRandom(seed, 0x70B);
        float Draw() => integral ? rng.NextInt(5) - 2 : rng.NextGaussian();
        var q = new float[queries * factors];
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = Draw();
        }
        var c = q;
        if (!similarity)
        {
            c = new float[candidates * factors];
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = Draw();
            }
        }
        float[]? bias = null;
        bool[]? allowed = null;
        int[]? ptr = null;
        int[]? excluded = null;
        if (filters)
        {
            bias = new float[candidates];
            for (int i = 0; i < candidates; i++)
            {
                bias[i] = integral ? rng.NextInt(3) - 1 : 0.1f * rng.NextGaussian();
            }
            allowed = new bool[candidates];
            for (int i = 0; i < candidates; i++)
            {
                allowed[i] = rng.NextInt(5) != 0;
            }
            ptr = new int[queries + 1];
            var list = new List<int>();
            for (int u = 0; u < queries; u++)
            {
                for (int i = 0; i < candidates; i++)
                {
                    if (rng.NextInt(8) == 0)
                    {
                        list.Add(i);
                    }
                }
                ptr[u + 1] = list.Count;
            }
            excluded = list.ToArray();
        }
        return new TopNProblem
        {
            Queries = q,
            QueryCount = queries,
            Candidates = c,
            CandidateCount = candidates,
            Factors = factors,
            CandidateBias = similarity ? null : bias,
            Allowed = allowed,
            ExcludePtr = ptr,
            Excluded = excluded,
            ExcludeSelf = similarity,
        };
    }
}
