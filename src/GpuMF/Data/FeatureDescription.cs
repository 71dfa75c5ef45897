using System.Globalization;

namespace GpuMF.Data;

/// <summary>
/// Inline descriptions of an entity by its features, for cold-start queries:
/// <c>age=25-34,gender=F,occupation=programmer</c>. Entries are separated by commas and trimmed of blanks; each is
/// a feature name, optionally followed by <c>:</c> and a weight (<c>genre=Comedy:0.5</c>), else weighing 1. The
/// weight is the text after the entry's last colon when that text is a number, so a name may hold <c>=</c> and
/// colons freely; a name that itself ends in a colon and a number (<c>time=12:30</c>) is given with an explicit
/// weight (<c>time=12:30:1</c>). Names cannot hold commas.
/// </summary>
public static class FeatureDescription
{
    /// <summary>Parses <paramref name="text"/> into (name, weight) pairs, in the order given.</summary>
    /// <exception cref="ArgumentException">
    /// The text is blank, an entry is empty, a name is empty, a weight is NaN, infinite or negative, or a name is
    /// given twice; the message names the entry (its 1-based position and text).
    /// </exception>
    public static IReadOnlyList<(string Name, float Weight)> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The feature description is empty: give names such as 'age=25-34,gender=F'.", nameof(text));
        }
        var result = new List<(string Name, float Weight)>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] entries = text.Split(',');
        for (int k = 0; k < entries.Length; k++)
        {
            string entry = entries[k].Trim();
            string where = $"entry {k + 1} ('{entry}') of the feature description '{text}'";
            if (entry.Length == 0)
            {
                throw new ArgumentException($"Entry {k + 1} of the feature description '{text}' is empty.", nameof(text));
            }
            string name = entry;
            float weight = 1f;
            int colon = entry.LastIndexOf(':');
            if (colon >= 0 && double.TryParse(entry.AsSpan(colon + 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double w))
            {
                if (!double.IsFinite(w) || w < 0 || !float.IsFinite((float)w))
                {
                    throw new ArgumentException($"The weight of {where} is not a finite number ≥ 0.", nameof(text));
                }
                name = entry[..colon].Trim();
                weight = (float)w;
            }
            if (name.Length == 0)
            {
                throw new ArgumentException($"The feature name of {where} is empty.", nameof(text));
            }
            if (seen.TryGetValue(name, out int before))
            {
                throw new ArgumentException($"The feature '{name}' is given twice in the feature description '{text}', at entries {before + 1} and {k + 1}.", nameof(text));
            }
            seen[name] = k;
            result.Add((name, weight));
        }
        return result;
    }
}
