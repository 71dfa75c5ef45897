using System.Diagnostics;
using System.Globalization;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// Hyper-parameter search for any model family on validation interactions (never the test data): see
/// <see cref="TuningOptions"/> for the method. Every trial trains from scratch with early stopping on the
/// validation metric, so a trial's training length is searched too.
/// </summary>
public static class Tuner
{
    /// <summary>Searches <paramref name="family"/>'s options.</summary>
    /// <param name="family">The model family (<see cref="ModelFamily.SearchSpace"/> must not be empty).</param>
    /// <param name="train">Training interactions.</param>
    /// <param name="validation">Validation interactions in the index space of <paramref name="train"/> (carve them from the training data, e.g. <see cref="Splitter.PerUserFraction"/> and <see cref="HoldoutData.Build"/>).</param>
    /// <param name="backend">Where the trials train.</param>
    /// <param name="options">The search's settings (<see cref="TuningOptions.Defaults"/> when null).</param>
    /// <param name="progress">Told each trial as it completes, or null.</param>
    /// <param name="cancellation">Stops the search; the trial running is abandoned.</param>
    /// <exception cref="ArgumentException">The family has no search space, or the validation matrix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option of <paramref name="options"/> is out of range.</exception>
    /// <exception cref="TimeoutException">The time budget ended before any trial completed.</exception>
    public static TuningResult Tune(ModelFamily family, InteractionMatrix train, InteractionMatrix validation, ComputeBackend backend,
        TuningOptions? options = null, IProgress<TuningTrial>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(backend);
        options ??= TuningOptions.Defaults;
        options.Validate();
        var space = family.SearchSpace.Where(d => !options.Fixed.Contains(d.Option)).ToArray();
        if (space.Length == 0)
        {
            throw new ArgumentException($"Nothing to tune: the {family.Name} family searches {string.Join(", ", family.SearchSpace.Select(d => d.Option))}, and all are held fixed.", nameof(options));
        }
        object start = options.Start ?? family.DefaultOptions;
        if (validation.Count == 0)
        {
            throw new ArgumentException("The validation interactions are empty: hold out some training interactions to tune on.", nameof(validation));
        }
        var metric = options.Metric ?? (family.TrainsOnPositives ? ValidationMetric.NdcgAt10 : ValidationMetric.Rmse);
        var budgetOption = family.Options.First(o => o.Name == family.EpochUnit);
        int maxEpochs = options.MaxEpochs > 0 ? options.MaxEpochs : 2 * int.Parse(budgetOption.Default, CultureInfo.InvariantCulture);
        var budgets = RoundBudgets(options.Trials, options.Reduction, maxEpochs);
        var points = Points(space, options.Trials, options.Seed);
        var clock = Stopwatch.StartNew();
        var trials = new List<TuningTrial>();
        var alive = Enumerable.Range(0, points.Count).ToList();
        bool stopped = false;
        for (int round = 0; round < budgets.Count && !stopped; round++)
        {
            var results = new List<TuningTrial>();
            for (int a = 0; a < alive.Count; a++)
            {
                int point = alive[a];
                var remaining = options.TimeBudget is { } limit ? limit - clock.Elapsed : Timeout.InfiniteTimeSpan;
                if (options.TimeBudget is not null && remaining <= TimeSpan.Zero)
                {
                    stopped = true;
                    break;
                }
                var trial = Run(family, train, validation, backend, Configure(family, start, points[point], budgetOption, budgets[round]), metric, options.Patience > 0 ? options.Patience : Math.Max(2, budgets[round] / 2), remaining, cancellation);
                if (trial is null)
                {
                    stopped = true;
                    break;
                }
                var done = trial with { Point = point, Round = round, Epochs = budgets[round], Values = points[point] };
                results.Add(done);
                trials.Add(done);
                progress?.Report(done);
                if (trials.Count == 1 && options.TimeBudget is { } budget)
                {
                    alive = alive.Take(Affordable(alive.Count, budgets, options.Reduction, done.Elapsed / budgets[0], budget - clock.Elapsed + done.Elapsed)).ToList();
                }
            }
            if (results.Count == 0)
            {
                break;
            }
            int keep = Math.Max(1, results.Count / options.Reduction);
            alive = Rank(results, metric).Take(keep).Select(t => t.Point).ToList();
        }
        if (trials.Count == 0)
        {
            throw new TimeoutException($"The time budget of {options.TimeBudget?.TotalSeconds:0.#} s ended before the first trial completed: give more time or fewer epochs.");
        }
        int lastRound = trials.Max(t => t.Round);
        var best = Rank(trials.Where(t => t.Round == lastRound), metric).First();
        // A best trial still improving when its round ended (the budget cut the search before the longer rounds) had its
        // length set by the round, not found: it gets the last round's.
        int epochs = best.BestEpoch < best.Epochs || best.Round == budgets.Count - 1 ? best.BestEpoch : budgets[^1];
        var bestOptions = Configure(family, start, best.Values, budgetOption, epochs);
        return new TuningResult(metric, trials, best, bestOptions, family.ToJson(bestOptions), stopped);
    }

    /// <summary>
    /// How many of <paramref name="points"/> the first round can start so that every round, the last included, fits
    /// <paramref name="budget"/> at <paramref name="perEpoch"/> a trial-epoch (the first trial's pace; at least one
    /// point): with a budget too short for the planned design, fewer points trained to the full length beat many
    /// points judged only on their first epochs, where the pairwise models still rank by popularity.
    /// </summary>
    internal static int Affordable(int points, IReadOnlyList<int> budgets, int reduction, TimeSpan perEpoch, TimeSpan budget)
    {
        for (int n = points; n > 1; n--)
        {
            double epochs = 0;
            int alive = n;
            foreach (int b in budgets)
            {
                epochs += (double)alive * b;
                alive = Math.Max(1, alive / reduction);
            }
            if (epochs * perEpoch.TotalSeconds <= 0.9 * budget.TotalSeconds)
            {
                return n;
            }
        }
        return 1;
    }

    /// <summary>
    /// The epochs of each round: the last gets <paramref name="maxEpochs"/> and each before it 1/<paramref name="reduction"/>
    /// of the next (at least 1), with as many rounds as halving <paramref name="trials"/> by <paramref name="reduction"/>
    /// takes to reach one trial, at most 3: pairwise models spend their first epochs learning popularity, so a first round
    /// shorter than a ninth of the last judges that rather than the options.
    /// </summary>
    internal static IReadOnlyList<int> RoundBudgets(int trials, int reduction, int maxEpochs)
    {
        int rounds = 1;
        for (long n = trials; n >= reduction && rounds < 3; n /= reduction)
        {
            rounds++;
        }
        var budgets = new int[rounds];
        double epochs = maxEpochs;
        for (int r = rounds - 1; r >= 0; r--)
        {
            budgets[r] = Math.Max(1, (int)Math.Ceiling(epochs));
            epochs /= reduction;
        }
        return budgets.Distinct().ToArray();
    }

    /// <summary>
    /// The starting options (no value changed), then <paramref name="count"/> − 1 points of the Halton sequence (a prime base per dimension), each
    /// coordinate shifted by a seeded random offset modulo 1 (Cranley–Patterson rotation), so seeds give different but
    /// equally even designs.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Points(IReadOnlyList<SearchDimension> space, int count, ulong seed)
    {
        int[] primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53];
        if (space.Count > primes.Length)
        {
            throw new ArgumentException($"A search space of {space.Count} dimensions is more than the {primes.Length} this search covers evenly.", nameof(space));
        }
        var shift = new double[space.Count];
        ulong state = seed;
        for (int d = 0; d < space.Count; d++)
        {
            shift[d] = (SplitMix(ref state) >> 11) * (1.0 / (1UL << 53));
        }
        var points = new List<IReadOnlyList<KeyValuePair<string, string>>> { Array.Empty<KeyValuePair<string, string>>() };
        for (int n = 1; n < count; n++)
        {
            var values = new KeyValuePair<string, string>[space.Count];
            for (int d = 0; d < space.Count; d++)
            {
                double u = RadicalInverse(n, primes[d]) + shift[d];
                values[d] = new(space[d].Option, space[d].ValueAt(u - Math.Floor(u)));
            }
            points.Add(values);
        }
        return points;
    }

    private static double RadicalInverse(int n, int b)
    {
        double inverse = 0, f = 1.0 / b;
        for (; n > 0; n /= b, f /= b)
        {
            inverse += (n % b) * f;
        }
        return inverse;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static object Configure(ModelFamily family, object start, IReadOnlyList<KeyValuePair<string, string>> values, ModelOption budget, int epochs)
    {
        object options = start;
        foreach (var (name, value) in values)
        {
            options = family.Options.First(o => o.Name == name).Apply(options, value);
        }
        options = budget.Apply(options, epochs.ToString(CultureInfo.InvariantCulture));
        family.Validate(options);
        return options;
    }

    private static IEnumerable<TuningTrial> Rank(IEnumerable<TuningTrial> trials, ValidationMetric metric) =>
        metric == ValidationMetric.Rmse ? trials.OrderBy(t => t.Metric).ThenBy(t => t.Point) : trials.OrderByDescending(t => t.Metric).ThenBy(t => t.Point);

    /// <summary>One trial, or null when the time budget ran out before it finished.</summary>
    private static TuningTrial? Run(ModelFamily family, InteractionMatrix train, InteractionMatrix validation, ComputeBackend backend,
        object options, ValidationMetric metric, int patience, TimeSpan remaining, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (remaining != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(remaining);
        }
        var clock = Stopwatch.StartNew();
        int bestEpoch = 0;
        var reports = new InlineProgress<EpochReport>(r => bestEpoch = r.BestEpoch ?? r.Epoch);
        FactorModel model;
        try
        {
            model = family.Train(options, new TrainingRequest(train, validation, backend, reports, deadline.Token, null, null, 0) { EarlyStopping = new EarlyStopping(patience) { Metric = metric } });
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return null;
        }
        double value = metric switch
        {
            ValidationMetric.Rmse => RatingMetrics.Evaluate(model, validation).Rmse,
            ValidationMetric.PrecisionAt10 => RankingMetrics.Evaluate(model, validation).Precision,
            _ => RankingMetrics.Evaluate(model, validation).Ndcg,
        };
        return new TuningTrial(0, 0, 0, Math.Max(1, bestEpoch), [], value, clock.Elapsed);
    }
}
