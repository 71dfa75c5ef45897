using System.CommandLine;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// The options of some model families of the registry on one command. Families share names (<c>--factors</c>,
/// <c>--seed</c>), and a command parses one option of each name, so each name is one hidden System.CommandLine
/// option holding the text as typed; <see cref="ModelFamily.Bind"/> then parses and validates the chosen
/// family's options from it, so that the registry stays the one source of their names, defaults, ranges and
/// messages. Help lists them from the registry, family by family.
/// </summary>
internal sealed class ModelArguments
{
    private readonly Dictionary<string, Option<string>> _byName = new(StringComparer.Ordinal);

    /// <summary>Adds to <paramref name="command"/> an option for each name among <paramref name="families"/>' options.</summary>
    /// <param name="command">The command that takes them.</param>
    /// <param name="families">The families, in the order help lists them.</param>
    /// <param name="heading">The line help puts above them.</param>
    public ModelArguments(Command command, IReadOnlyList<ModelFamily> families, string heading)
    {
        Families = families;
        Heading = heading;
        foreach (var family in families)
        {
            foreach (var option in family.Options.Where(o => !_byName.ContainsKey(o.Name)))
            {
                // A flag may be given bare; where any family has the name as a flag, the option takes at most one value.
                bool flag = families.Any(f => f.Options.Any(o => o.Name == option.Name && o.IsFlag));
                var parsed = new Option<string>("--" + option.Name) { Hidden = true, Arity = flag ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne };
                _byName[option.Name] = parsed;
                command.Options.Add(parsed);
            }
        }
    }

    /// <summary>The families whose options these are.</summary>
    public IReadOnlyList<ModelFamily> Families { get; }

    /// <summary>The line help puts above the families' options.</summary>
    public string Heading { get; }

    /// <summary>The names of <paramref name="family"/>'s options given on the command line.</summary>
    public IReadOnlyList<string> Given(ModelFamily family, ParseResult parse) =>
        family.Options.Where(o => parse.Given(_byName[o.Name])).Select(o => o.Name).ToArray();

    /// <summary>
    /// <paramref name="family"/>'s options record from the command line, validated. With <paramref name="strict"/>,
    /// an option given that the family lacks (another family's) is an error; without, it is left to the families that have it.
    /// </summary>
    /// <exception cref="UsageException">A value is invalid or out of range, or (strict) an option is not the family's; the message names the option.</exception>
    /// <param name="family">The family chosen.</param>
    /// <param name="parse">The command line.</param>
    /// <param name="start">The options record the given options change; null for the family's defaults.</param>
    /// <param name="strict">True to refuse another family's options.</param>
    public object Bind(ModelFamily family, ParseResult parse, object? start = null, bool strict = true)
    {
        if (strict && _byName.FirstOrDefault(o => parse.Given(o.Value) && family.Options.All(f => f.Name != o.Key)) is { Key: { } foreign })
        {
            string command = parse.CommandResult.Command.Name;
            throw new UsageException($"unknown option for '{command}': --{foreign} (--model {family.Name} has no such option; 'gpumf {command} --help' lists each model's).");
        }
        try
        {
            return family.Bind(name => parse.GetValue(_byName[name]), name => parse.Given(_byName[name]), start);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
