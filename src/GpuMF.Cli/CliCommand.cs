using System.CommandLine;

namespace GpuMF.Cli;

/// <summary>
/// One command of the host: its System.CommandLine definition (the options it parses, which its help lists)
/// and what it runs. Options are added through <see cref="Add{T}"/>, so that the definition is the one list.
/// </summary>
internal abstract class CliCommand
{
    protected CliCommand(string name, string description)
    {
        Command = new Command(name, description);
        Command.SetAction((parse, cancellation) => Task.FromResult(Run(parse, cancellation)));
    }

    /// <summary>The parsed definition.</summary>
    public Command Command { get; }

    /// <summary>The model families whose options the command takes, listed by help; null when it takes none.</summary>
    public ModelArguments? Models { get; protected init; }

    /// <summary>Paragraphs help prints after the options, or null.</summary>
    public virtual string? Notes => null;

    /// <summary>Runs the command once parsed without error; returns the exit code.</summary>
    /// <exception cref="UsageException">The options cannot be run together as given.</exception>
    /// <exception cref="OperationCanceledException">A signal cancelled <paramref name="cancellation"/>.</exception>
    public abstract int Run(ParseResult parse, CancellationToken cancellation);

    /// <summary>Adds <paramref name="option"/> to the command and returns it.</summary>
    protected T Add<T>(T option)
        where T : Option
    {
        Command.Options.Add(option);
        return option;
    }
}
