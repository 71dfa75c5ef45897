using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GpuMF.Cli;

/// <summary>What every command's JSON and error output share: snake_case keys, and text safe to print.</summary>
internal static class JsonText
{
    /// <summary>A model's options JSON (as model files store it, PascalCase) with snake_case keys, as the rest of the commands' JSON.</summary>
    public static JsonObject SnakeCase(string optionsJson)
    {
        var result = new JsonObject();
        foreach (var (key, value) in JsonNode.Parse(optionsJson)!.AsObject())
        {
            result[JsonNamingPolicy.SnakeCaseLower.ConvertName(key)] = value?.DeepClone();
        }
        return result;
    }

    /// <summary>
    /// <paramref name="node"/> as a file people read too: indented, one final newline, and relaxed escaping, so that
    /// "+" or "@" are not spelt \u002B or \u0040.
    /// </summary>
    public static byte[] FileBytes(JsonNode node) =>
        Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

    /// <summary>
    /// <paramref name="text"/> with control characters escaped (<c>\t</c>, <c>\n</c>, <c>\x1B</c>): error messages
    /// quote bad input, whose bytes must neither break the one line an error is nor drive the terminal.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var result = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            result.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{((int)c).ToString("X2", CultureInfo.InvariantCulture)}",
                _ => c.ToString(),
            });
        }
        return result.ToString();
    }
}
