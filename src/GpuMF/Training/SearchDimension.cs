using System.Globalization;

namespace GpuMF.Training;

/// <summary>
/// One hyper-parameter a tuner searches, by the name of the model option it sets (<see cref="ModelOption.Name"/>),
/// over a range or a list of words. A point u in [0, 1) of the search cube maps to a value: linearly, or
/// log-uniformly when <see cref="Log"/> (for scales such as λ or the step size, where a decade matters more than a step).
/// </summary>
/// <param name="Option">The option's name ("reg").</param>
/// <param name="Low">The smallest value, inclusive (ignored for <see cref="Words"/>); &gt; 0 when <see cref="Log"/>.</param>
/// <param name="High">The largest value, inclusive; ≥ <paramref name="Low"/>.</param>
/// <param name="Log">True to search log-uniformly.</param>
/// <param name="Rounded">True for integer options: the value is rounded to the nearest integer.</param>
/// <param name="Words">The values of a choice option, each equally likely; null for numeric ones.</param>
public sealed record SearchDimension(string Option, double Low, double High, bool Log = false, bool Rounded = false, IReadOnlyList<string>? Words = null)
{
    /// <summary>A numeric dimension searched log-uniformly.</summary>
    public static SearchDimension LogRange(string option, double low, double high, bool rounded = false) => new(option, low, high, Log: true, Rounded: rounded);

    /// <summary>A numeric dimension searched uniformly.</summary>
    public static SearchDimension Range(string option, double low, double high, bool rounded = false) => new(option, low, high, Rounded: rounded);

    /// <summary>A choice among words.</summary>
    public static SearchDimension Choice(string option, params string[] words) => new(option, 0, 0, Words: words);

    /// <summary>The option's value, as typed on the command line, at <paramref name="u"/> in [0, 1).</summary>
    public string ValueAt(double u)
    {
        u = Math.Clamp(u, 0, Math.BitDecrement(1.0));
        if (Words is { Count: > 0 } words)
        {
            return words[(int)(u * words.Count)];
        }
        double value = Log ? Math.Exp(Math.Log(Low) + u * (Math.Log(High) - Math.Log(Low))) : Low + u * (High - Low);
        return Rounded
            ? ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture)
            : ((float)value).ToString("G4", CultureInfo.InvariantCulture);
    }
}
