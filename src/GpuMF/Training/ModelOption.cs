using System.Globalization;

namespace GpuMF.Training;

/// <summary>
/// One option of a model family as the console host reads it (<c>--name value</c>): its name, what it does with
/// its range, its default, and how a value sets it on the family's options record. The console host's
/// parsing, its help and its error messages all come from these definitions.
/// </summary>
public sealed class ModelOption
{
    private readonly Func<object, string?, object> _apply;

    private ModelOption(string name, string property, string help, string defaultValue, bool isFlag, Func<object, string?, object> apply)
    {
        Name = name;
        Property = property;
        Help = help;
        Default = defaultValue;
        IsFlag = isFlag;
        _apply = apply;
    }

    /// <summary>The name on the command line, without the leading dashes ("factors").</summary>
    public string Name { get; }

    /// <summary>The property of the options record it sets ("Factors"), as validation errors name it.</summary>
    public string Property { get; }

    /// <summary>What the option does, with its range.</summary>
    public string Help { get; }

    /// <summary>The default, as it would be typed.</summary>
    public string Default { get; }

    /// <summary>True for a boolean that may be given bare (<c>--loss</c>) or with true/false.</summary>
    public bool IsFlag { get; }

    /// <summary>Sets the option on <paramref name="options"/> from its text (null for a bare flag).</summary>
    /// <exception cref="ArgumentException">The text is not a value of the option's type; the message names the option.</exception>
    internal object Apply(object options, string? text) => _apply(options, text);

    /// <summary>An integer option.</summary>
    internal static ModelOption Int<T>(string name, string property, string help, int value, Func<T, int, T> set)
        where T : class =>
        new(name, property, help, value.ToString(CultureInfo.InvariantCulture), false, (o, s) => set((T)o, int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw Invalid(name, s, "an integer")));

    /// <summary>An unsigned 64-bit option (seeds).</summary>
    internal static ModelOption ULong<T>(string name, string property, string help, ulong value, Func<T, ulong, T> set)
        where T : class =>
        new(name, property, help, value.ToString(CultureInfo.InvariantCulture), false, (o, s) => set((T)o, ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v) ? v : throw Invalid(name, s, "a non-negative integer")));

    /// <summary>A finite floating-point option.</summary>
    internal static ModelOption Float<T>(string name, string property, string help, float value, Func<T, float, T> set)
        where T : class =>
        new(name, property, help, value.ToString(CultureInfo.InvariantCulture), false, (o, s) => set((T)o, float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) ? v : throw Invalid(name, s, "a finite number")));

    /// <summary>A boolean option: bare, or true/false, 1/0, yes/no.</summary>
    internal static ModelOption Flag<T>(string name, string property, string help, bool value, Func<T, bool, T> set)
        where T : class =>
        new(name, property, help, value ? "true" : "false", true, (o, s) => set((T)o, s is null or "true" or "1" or "yes" ? true : s is "false" or "0" or "no" ? false : throw Invalid(name, s, "true or false")));

    /// <summary>An option that takes one of a few words, each standing for a value.</summary>
    internal static ModelOption Choice<T, TValue>(string name, string property, string help, TValue value, IReadOnlyDictionary<string, TValue> words, Func<T, TValue, T> set)
        where T : class
        where TValue : notnull =>
        new(name, property, help, words.First(w => EqualityComparer<TValue>.Default.Equals(w.Value, value)).Key, false, (o, s) =>
            set((T)o, s is not null && words.TryGetValue(s.ToLowerInvariant(), out var v) ? v : throw Invalid(name, s, string.Join(" or ", words.Keys))));

    private static ArgumentException Invalid(string name, string? text, string what) => new($"--{name} must be {what}; got '{text}'.", name);
}
