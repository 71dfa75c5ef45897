using System.Text;

namespace GpuMF.Bench;

/// <summary>Renders rows of cells as a Markdown table.</summary>
internal static class MarkdownTable
{
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        Row(sb, header);
        Row(sb, header.Select(_ => "---").ToList());
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
            {
                throw new ArgumentException($"A row has {row.Count} cells for {header.Count} columns.", nameof(rows));
            }
            Row(sb, row);
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, IReadOnlyList<string> cells) =>
        sb.Append("| ").AppendJoin(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
}
