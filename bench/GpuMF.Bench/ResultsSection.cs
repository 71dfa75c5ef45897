using System.Text;
using GpuMF.Persistence;

namespace GpuMF.Bench;

/// <summary>
/// Replaces one generated section of a Markdown file, delimited by <c>&lt;!-- NAME:begin --&gt;</c> and
/// <c>&lt;!-- NAME:end --&gt;</c> lines, leaving every other byte of the file as it was; a file or section
/// that does not exist yet is created, the section appended at the end.
/// </summary>
internal static class ResultsSection
{
    public static string Begin(string name) => $"<!-- {name}:begin -->";

    public static string End(string name) => $"<!-- {name}:end -->";

    /// <summary>The file's text with the section <paramref name="name"/> holding <paramref name="body"/>.</summary>
    public static string Replace(string text, string name, string body)
    {
        string begin = Begin(name), end = End(name);
        string section = begin + "\n" + body.TrimEnd('\n') + "\n" + end;
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        if (start < 0)
        {
            if (text.Contains(end, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"'{end}' has no '{begin}' before it.");
            }
            var sb = new StringBuilder(text);
            if (sb.Length > 0)
            {
                sb.Append(text.EndsWith('\n') ? "\n" : "\n\n");
            }
            return sb.Append(section).Append('\n').ToString();
        }
        int stop = text.IndexOf(end, start + begin.Length, StringComparison.Ordinal);
        if (stop < 0)
        {
            throw new InvalidDataException($"'{begin}' has no '{end}' after it.");
        }
        if (text.IndexOf(begin, start + begin.Length, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidDataException($"'{begin}' occurs more than once.");
        }
        return string.Concat(text.AsSpan(0, start), section, text.AsSpan(stop + end.Length));
    }

    /// <summary>Prints a section to standard output and, with <paramref name="write"/>, writes it into that file as section <paramref name="name"/>.</summary>
    public static void Publish(string report, string name, string? write)
    {
        Console.Out.Write(report);
        if (write is not null)
        {
            Write(write, name, report);
            Console.Error.WriteLine($"wrote the {name} section of {write}");
        }
    }

    /// <summary>Rewrites <paramref name="path"/> with the section replaced; the write is atomic.</summary>
    public static void Write(string path, string name, string body)
    {
        string text = File.Exists(path) ? File.ReadAllText(path) : "";
        string updated = Replace(text, name, body);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(updated);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
