using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GpuMF.Cli;

/// <summary>
/// The options of the commands, each made with its parser, its range check and its help text together: the
/// help line states the range the parser checks and the default it falls back to, so that help cannot drift
/// from what is parsed. A bad value is a parse error naming the option, which the host prints as one line
/// with exit code 2.
/// </summary>
internal static class Opt
{
    /// <summary>An integer in <paramref name="min"/>..<paramref name="max"/>, <paramref name="fallback"/> when not given.</summary>
    public static Option<int> Int(string name, string help, int fallback, int min, int max, params string[] aliases) =>
        new(name, aliases)
        {
            Description = $"{help}, {min}..{max}",
            HelpName = "N",
            DefaultValueFactory = _ => fallback,
            CustomParser = r => ParseInt(r, name, min, max),
        };

    /// <summary>A finite number for which <paramref name="inRange"/> holds (<paramref name="range"/> says which, as help shows it).</summary>
    public static Option<float> Float(string name, string help, float fallback, string range, Func<float, bool> inRange) =>
        new(name)
        {
            Description = $"{help}, {range}",
            HelpName = "X",
            DefaultValueFactory = _ => fallback,
            CustomParser = r => ParseFloat(r, name, $"a number in {range}", inRange) ?? fallback,
        };

    /// <summary>A finite number with no default: null when not given.</summary>
    public static Option<float?> OptionalFloat(string name, string help) =>
        new(name)
        {
            Description = help,
            HelpName = "X",
            CustomParser = r => ParseFloat(r, name, "a finite number", _ => true),
        };

    /// <summary>An unsigned 64-bit integer (seeds).</summary>
    public static Option<ulong> ULong(string name, string help, ulong fallback) =>
        new(name)
        {
            Description = help,
            HelpName = "N",
            DefaultValueFactory = _ => fallback,
            CustomParser = r =>
            {
                string text = r.Tokens[0].Value;
                if (ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong value))
                {
                    return value;
                }
                r.AddError($"{name} must be a non-negative integer; got '{text}'.");
                return fallback;
            },
        };

    /// <summary>A 64-bit id (of a user or an item).</summary>
    public static Option<long?> Id(string name, string help, bool required) =>
        new(name)
        {
            Description = help,
            HelpName = "ID",
            Required = required,
            CustomParser = r =>
            {
                string text = r.Tokens[0].Value;
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id))
                {
                    return id;
                }
                r.AddError($"{name} must be an integer id; got '{text}'.");
                return null;
            },
        };

    /// <summary>A path or other text.</summary>
    public static Option<string> Text(string name, string helpName, string help, bool required, params string[] aliases) =>
        new(name, aliases) { Description = help, HelpName = helpName, Required = required };

    /// <summary>A boolean given bare (<c>--json</c>) or as <c>--json true|false</c>.</summary>
    public static Option<bool> Flag(string name, string help) => new(name) { Description = help };

    /// <summary>One of <paramref name="words"/> (case-insensitive, read in lower case); <paramref name="fallback"/> when not given, if not null.</summary>
    public static Option<string> Choice(string name, string help, string[] words, string? fallback, params string[] aliases)
    {
        var option = new Option<string>(name, aliases)
        {
            Description = help,
            HelpName = string.Join('|', words),
            CustomParser = r =>
            {
                string text = r.Tokens[0].Value;
                string word = text.ToLowerInvariant();
                if (words.Contains(word))
                {
                    return word;
                }
                r.AddError($"{name} must be {Join(words)}; got '{text}'.");
                return fallback ?? "";
            },
        };
        if (fallback is not null)
        {
            option.DefaultValueFactory = _ => fallback;
        }
        return option;
    }

    /// <summary>Whether <paramref name="option"/> was given on the command line (rather than left to its default).</summary>
    public static bool Given(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>"a, b or c", as messages and help list choices.</summary>
    public static string Join(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " or " + words[^1];

    private static int ParseInt(ArgumentResult r, string name, int min, int max)
    {
        string text = r.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }
        r.AddError($"{name} must be an integer in {min}..{max}; got '{text}'.");
        return min;
    }

    private static float? ParseFloat(ArgumentResult r, string name, string mustBe, Func<float, bool> inRange)
    {
        string text = r.Tokens[0].Value;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value) && inRange(value))
        {
            return value;
        }
        r.AddError($"{name} must be {mustBe}; got '{text}'.");
        return null;
    }
}
