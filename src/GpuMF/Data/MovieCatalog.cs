using System.Text;

namespace GpuMF.Data;

/// <summary>Movie titles by id, read from MovieLens <c>movies.dat</c> (<c>id::title::genres</c>) or <c>u.item</c> (<c>id|title|…</c>), both ISO-8859-1.</summary>
public sealed class MovieCatalog
{
    private readonly Dictionary<long, string> _titles;

    private MovieCatalog(Dictionary<long, string> titles) => _titles = titles;

    /// <summary>Number of titles.</summary>
    public int Count => _titles.Count;

    /// <summary>The title of <paramref name="id"/>, or "item {id}" when it is not listed.</summary>
    public string Title(long id) => _titles.TryGetValue(id, out var t) ? t : $"item {id}";

    /// <summary>Finds the id whose title starts with <paramref name="prefix"/> (case-insensitive), lowest id first.</summary>
    public long? FindByTitle(string prefix) =>
        _titles.Where(kv => kv.Value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(kv => (long?)kv.Key).Min();

    /// <summary>Reads a catalogue file.</summary>
    /// <exception cref="DataFormatException">A line has no id or title, or is longer than 1 Mi characters; or the path is a directory.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MovieCatalog Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new DataFormatException(path, 0, "is a directory, not a movie list.");
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Movie list '{path}' does not exist.", path);
        }
        var titles = new Dictionary<long, string>(IdComparer.Instance);
        using var lines = new LineReader(new StreamReader(path, Encoding.Latin1), path);
        while (lines.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            string[] parts = line.Contains("::", StringComparison.Ordinal) ? line.Split("::") : line.Split('|');
            if (parts.Length < 2 || !long.TryParse(parts[0], out long id))
            {
                throw new DataFormatException(path, lines.LineNumber, "expected 'id::title::genres' or 'id|title|…'.");
            }
            titles[id] = parts[1];
        }
        return new MovieCatalog(titles);
    }
}
