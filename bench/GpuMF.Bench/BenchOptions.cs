using System.Globalization;

namespace GpuMF.Bench;

/// <summary>
/// The <c>--name value</c> options and bare <c>--flag</c>s of one bench command. Every option given must be
/// read, so that a misspelt one is reported instead of silently ignored.
/// </summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public BenchOptions(string command, IReadOnlyList<string> args)
    {
        Command = command;
        for (int n = 0; n < args.Count; n++)
        {
            if (!args[n].StartsWith("--", StringComparison.Ordinal) || args[n].Length == 2)
            {
                throw new BenchUsageException($"unexpected argument '{args[n]}' for '{command}'.");
            }
            string name = args[n][2..];
            bool hasValue = n + 1 < args.Count && !args[n + 1].StartsWith("--", StringComparison.Ordinal);
            _values[name] = hasValue ? args[++n] : null;
        }
    }

    public string Command { get; }

    public string? Get(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v)
            ? v ?? throw new BenchUsageException($"--{name} needs a value.")
            : null;
    }

    public string Get(string name, string fallback) => Get(name) ?? fallback;

    /// <summary>Null when absent; <paramref name="bareValue"/> when given without a value; else its value.</summary>
    public string? Optional(string name, string bareValue)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v ?? bareValue : null;
    }

    public int Int(string name, int fallback, int min, int max)
    {
        string? s = Get(name);
        if (s is null)
        {
            return fallback;
        }
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new BenchUsageException($"--{name} must be an integer in {min}..{max}; got '{s}'.");
    }

    public long Long(string name, long fallback, long min, long max)
    {
        string? s = Get(name);
        if (s is null)
        {
            return fallback;
        }
        return ParseCount(s) is { } v && v >= min && v <= max
            ? v
            : throw new BenchUsageException($"--{name} must be a whole number in {min}..{max} (1e6 style allowed); got '{s}'.");
    }

    /// <summary>A comma-separated list, each element checked against <paramref name="allowed"/> when given.</summary>
    public IReadOnlyList<string> List(string name, IReadOnlyList<string> fallback, IReadOnlyList<string>? allowed = null)
    {
        string? s = Get(name);
        if (s is null)
        {
            return fallback;
        }
        var items = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            throw new BenchUsageException($"--{name} needs at least one value.");
        }
        foreach (string item in items)
        {
            if (allowed is not null && !allowed.Contains(item))
            {
                throw new BenchUsageException($"--{name}: unknown value '{item}'; expected {string.Join(", ", allowed)}.");
            }
        }
        return items;
    }

    /// <summary>Throws for any option given but never read.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new BenchUsageException($"unknown option{(unknown.Count > 1 ? "s" : "")} for '{Command}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }

    /// <summary>Parses a count written as an integer or in scientific notation (1e6, 2.5e7); null unless whole.</summary>
    public static long? ParseCount(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && d >= 0 && d <= long.MaxValue
            ? (long)d
            : null;
}

/// <summary>A bench command line that cannot be run as given; the message says why.</summary>
internal sealed class BenchUsageException(string message) : Exception(message);
