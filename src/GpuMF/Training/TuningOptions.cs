namespace GpuMF.Training;

/// <summary>
/// How <see cref="Tuner"/> searches: quasi-random points of the family's <see cref="ModelFamily.SearchSpace"/>
/// (a Halton sequence under a seeded random shift, so that few trials still cover every dimension evenly) raced by
/// successive halving (Jamieson and Talwalkar 2016; Li et al. 2018, Hyperband's inner loop): every trial first trains
/// briefly, and only the best 1/<see cref="Reduction"/> of each round trains <see cref="Reduction"/> times longer,
/// up to <see cref="MaxEpochs"/> with early stopping. Every default lives here.
/// </summary>
public sealed record TuningOptions
{
    /// <summary>The defaults.</summary>
    public static TuningOptions Defaults { get; } = new();

    /// <summary>Points of the search space tried in the first round, 1..10000 (default 27); the starting options (<see cref="Start"/>, the family's defaults unless given) are the first.</summary>
    public int Trials { get; init; } = 27;

    /// <summary>
    /// Wall-clock budget: the first round tries only as many points as the whole search can train within it at the
    /// first trial's pace, no trial starts after it, and one running when it ends is cut and not counted; null (default) for none.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>The metric to optimise; null (default) for RMSE on explicit models and NDCG@10 on implicit ones.</summary>
    public ValidationMetric? Metric { get; init; }

    /// <summary>Epochs (ALS: iterations) of the last round, 1..10000; 0 (default) for twice the family's default.</summary>
    public int MaxEpochs { get; init; }

    /// <summary>The share of trials kept after each round is 1/Reduction, and the next round trains Reduction times longer, 2..10 (default 3).</summary>
    public int Reduction { get; init; } = 3;

    /// <summary>
    /// Epochs without improvement of the validation metric after which a trial stops early, 1..10000; 0 (default) for
    /// half the round's epochs (at least 2): BPR's and WARP's validation precision dips for several epochs after the
    /// first, which a short patience would take for the end.
    /// </summary>
    public int Patience { get; init; }

    /// <summary>Seed of the search's random shift (default 42): the same seed, data and CPU thread count repeat the same trials.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The family's options record every trial starts from; null (default) for the family's defaults.</summary>
    public object? Start { get; init; }

    /// <summary>Names of options (as <see cref="ModelOption.Name"/>) held at their value in <see cref="Start"/> rather than searched (default none).</summary>
    public IReadOnlyCollection<string> Fixed { get; init; } = [];

    /// <summary>Throws when an option is out of range; the message names it.</summary>
    public void Validate()
    {
        OptionRange.Require(Trials is >= 1 and <= 10000, nameof(Trials), Trials, "1..10000");
        OptionRange.Require(MaxEpochs is >= 0 and <= 10000, nameof(MaxEpochs), MaxEpochs, "0..10000");
        OptionRange.Require(Reduction is >= 2 and <= 10, nameof(Reduction), Reduction, "2..10");
        OptionRange.Require(Patience is >= 0 and <= 10000, nameof(Patience), Patience, "0..10000");
        if (TimeBudget is { } budget)
        {
            OptionRange.Require(budget > TimeSpan.Zero, nameof(TimeBudget), budget.TotalSeconds, "> 0 s");
        }
    }
}
