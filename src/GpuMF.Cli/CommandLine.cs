using System.Globalization;

namespace GpuMF.Cli;

/// <summary>Parsed <c>--name value</c> options and bare flags of one command; every option must be read or it is reported as unknown.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CommandLine(string command, IEnumerable<string> args)
    {
        Command = command;
        string? pending = null;
        foreach (string arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2 && !double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }
                pending = arg[2..];
                int eq = pending.IndexOf('=');
                if (eq > 0)
                {
                    _values[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new UsageException($"unexpected argument '{arg}' for '{command}'.");
            }
        }
        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    public string Command { get; }

    public bool Has(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public bool Flag(string name, bool fallback = false)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v))
        {
            return fallback;
        }
        return v is null || v is "true" or "1" or "yes" ? true
            : v is "false" or "0" or "no" ? false
            : throw new UsageException($"--{name} is a flag; '{v}' is not true or false.");
    }

    public string? Get(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v))
        {
            return null;
        }
        return v ?? throw new UsageException($"--{name} needs a value.");
    }

    /// <summary>The text of an option, null when it was given bare (a flag) or not at all.</summary>
    public string? Value(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string Require(string name) => Get(name) ?? throw new UsageException($"'{Command}' needs --{name}.");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Number(name, fallback, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null, min, max);

    public long Long(string name) =>
        long.TryParse(Require(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new UsageException($"--{name} must be an integer id; got '{Get(name)}'.");

    public ulong ULong(string name, ulong fallback) =>
        Get(name) is not { } s ? fallback
        : ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v) ? v
        : throw new UsageException($"--{name} must be a non-negative integer; got '{s}'.");

    public float Float(string name, float fallback) =>
        Number(name, fallback, s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v : null, float.MinValue, float.MaxValue);

    /// <summary>Throws for any option given but never asked about, so that a misspelt option is never silently dropped.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option{(unknown.Count > 1 ? "s" : "")} for '{Command}': {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }

    private T Number<T>(string name, T fallback, Func<string, T?> parse, T min, T max) where T : struct, IComparable<T>
    {
        string? s = Get(name);
        if (s is null)
        {
            return fallback;
        }
        T? v = parse(s);
        if (v is null || v.Value.CompareTo(min) < 0 || v.Value.CompareTo(max) > 0)
        {
            throw new UsageException($"--{name} must be a number{(min.CompareTo(max) < 0 && !Equals(min, MinOf<T>()) ? $" in {min}..{max}" : "")}; got '{s}'.");
        }
        return v.Value;
    }

    private static T MinOf<T>() where T : struct => typeof(T) == typeof(int) ? (T)(object)int.MinValue : (T)(object)float.MinValue;
}

/// <summary>A command line that cannot be run as given; the message says why.</summary>
internal sealed class UsageException(string message) : Exception(message);
