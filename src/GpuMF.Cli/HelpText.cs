using System.CommandLine;
using System.Globalization;
using System.Text;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// Help written from the definitions that parse: each option of a command with its aliases, its value, its
/// description (which states the range its parser checks) and its default or "(required)"; the model options
/// from the registry's <see cref="ModelOption"/>s, which <see cref="ModelFamily.Bind"/> parses, family by family.
/// </summary>
internal static class HelpText
{
    private const int Width = 100;
    private const int MaxLabel = 34;

    /// <summary>The list of commands, as <c>gpumf --help</c> shows it (and <c>gpumf</c> alone, on stderr).</summary>
    public static void WriteRoot(IReadOnlyList<CliCommand> commands, TextWriter output)
    {
        output.WriteLine($"gpumf {Program.Version}: matrix-factorization recommenders (svd, als, bpr, warp) on GPUs and CPUs");
        output.WriteLine();
        output.WriteLine("usage: gpumf <command> [options]");
        output.WriteLine();
        output.WriteLine("commands:");
        WriteRows([.. commands.Select(c => (c.Command.Name, c.Command.Description ?? ""))], output);
        output.WriteLine();
        output.WriteLine("options:");
        WriteRows([("-h, --help", "show this help"), ("--version", "show the version")], output);
        output.WriteLine();
        output.WriteLine("Run 'gpumf <command> --help' for its options with their defaults and ranges.");
    }

    /// <summary>One command's help: usage, every option, the model options by family, notes.</summary>
    public static void WriteCommand(CliCommand command, TextWriter output)
    {
        var definition = command.Command;
        output.WriteLine($"gpumf {definition.Name}: {definition.Description}");
        output.WriteLine();
        var required = definition.Options.Where(o => o.Required).Select(o => $"{o.Name} <{o.HelpName}>");
        output.WriteLine($"usage: gpumf {string.Join(' ', [definition.Name, .. required, "[options]"])}");
        output.WriteLine();
        output.WriteLine("options:");
        WriteRows([.. definition.Options.Where(o => !o.Hidden).Select(o => (Label(o), Describe(o))), ("-h, --help", "show this help")], output);
        if (command.Models is { } models)
        {
            output.WriteLine();
            output.WriteLine(models.Heading);
            foreach (var family in models.Families)
            {
                WriteRows([($"--model {family.Name}:", family.Summary)], output);
                WriteRows([.. family.Options.Select(o => (Label(o), $"{o.Help} [default: {o.Default}]"))], output, indent: 4);
            }
        }
        if (command.Notes is { } notes)
        {
            output.WriteLine();
            output.WriteLine(notes);
        }
    }

    private static string Label(Option option)
    {
        // Short aliases first; the Windows-style /h and /? spellings of help are left out.
        var names = option.Aliases.Append(option.Name).Where(a => a.StartsWith('-')).Distinct().OrderBy(a => a.StartsWith("--", StringComparison.Ordinal) ? 1 : 0).ThenBy(a => a, StringComparer.Ordinal);
        string value = option.ValueType == typeof(bool) ? "" : $" <{option.HelpName ?? "VALUE"}>";
        return string.Join(", ", names) + value;
    }

    private static string Label(ModelOption option) => option.IsFlag ? $"--{option.Name} [true|false]" : $"--{option.Name} <V>";

    private static string Describe(Option option)
    {
        string text = option.Description ?? "";
        if (option.Required)
        {
            return text + " (required)";
        }
        // A flag's default is always false, which its being a flag already says.
        return option.ValueType != typeof(bool) && option.HasDefaultValue && option.GetDefaultValue() is { } value ? $"{text} [default: {Format(value)}]" : text;
    }

    private static string Format(object value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";

    /// <summary>Two aligned columns, the second wrapped at <see cref="Width"/>; a label too long for its column puts its text on the next line.</summary>
    private static void WriteRows(IReadOnlyList<(string Label, string Text)> rows, TextWriter output, int indent = 2)
    {
        int column = Math.Min(MaxLabel, rows.Max(r => r.Label.Length)) + indent + 2;
        foreach (var (label, text) in rows)
        {
            var line = new StringBuilder().Append(' ', indent).Append(label);
            if (line.Length + 2 > column)
            {
                output.WriteLine(line.ToString());
                line.Clear();
            }
            line.Append(' ', column - line.Length);
            int room = Width - column;
            foreach (string word in text.Split(' '))
            {
                if (room < word.Length && line.Length > column)
                {
                    output.WriteLine(line.ToString().TrimEnd());
                    line.Clear().Append(' ', column);
                    room = Width - column;
                }
                line.Append(word).Append(' ');
                room -= word.Length + 1;
            }
            output.WriteLine(line.ToString().TrimEnd());
        }
    }
}
