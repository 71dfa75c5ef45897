namespace GpuMF.Training;

/// <summary>
/// What every model family's options share: the factor count, the initial factors' spread and the seed, and their
/// range checks. Each family's record adds its own options and its defaults' sources.
/// </summary>
public abstract record ModelOptions
{
    /// <summary>Sets the family's default spread of the initial factors.</summary>
    protected ModelOptions(float initStdDev) => InitStdDev = initStdDev;

    /// <summary>Latent factors k, 1..1024. Default 64.</summary>
    public int Factors { get; init; } = 64;

    /// <summary>Standard deviation of the normal initial factors, (0, 1]. Default: SVD 0.02 (small starts converge to a better optimum than 0.1 there), the others 0.01.</summary>
    public float InitStdDev { get; init; }

    /// <summary>Seed of the initial factors and of every epoch's order and random streams. Default 42.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Throws when a shared option lies outside its range; the message names it.</summary>
    protected void ValidateShared()
    {
        OptionRange.Require(Factors is >= 1 and <= 1024, nameof(Factors), Factors, "1..1024");
        OptionRange.Require(InitStdDev is > 0 and <= 1, nameof(InitStdDev), InitStdDev, "(0, 1]");
    }
}
