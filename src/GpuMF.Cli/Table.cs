namespace GpuMF.Cli;

/// <summary>Plain-text tables with aligned columns.</summary>
internal static class Table
{
    public static void Print(string[] header, IReadOnlyList<string[]> rows, TextWriter? output = null)
    {
        output ??= Console.Out;
        var widths = header.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length && c < widths.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }
        void Line(string[] cells) => output.WriteLine(string.Join("  ", cells.Select((s, c) => s.PadRight(widths[c]))).TrimEnd());
        Line(header);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Line(row);
        }
    }
}
