using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>The <c>gpumf</c> console host.</summary>
public static class Program
{
    /// <summary>The host's version, as <c>gpumf --version</c> prints it.</summary>
    internal static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// Runs one command; returns the process exit code: 0 success, 1 failure, 2 a command line that cannot run
    /// (usage on stderr), 130 or 143 when SIGINT or SIGTERM cancelled it.
    /// </summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["help", .. var topic])
        {
            args = [.. topic, "--help"];
        }
        var commands = Commands();
        var root = new RootCommand("matrix-factorization recommenders on GPUs and CPUs");
        foreach (var command in commands)
        {
            root.Subcommands.Add(command.Command);
        }
        var parse = root.Parse(args);
        var chosen = commands.FirstOrDefault(c => c.Command == parse.CommandResult.Command);
        if (args.Length == 0)
        {
            HelpText.WriteRoot(commands, Console.Error);
            return 2;
        }
        if (Asked<HelpOption>(parse))
        {
            if (chosen is null)
            {
                HelpText.WriteRoot(commands, Console.Out);
            }
            else
            {
                HelpText.WriteCommand(chosen, Console.Out);
            }
            return 0;
        }
        if (Problem(parse, chosen) is { } problem)
        {
            return Fail(problem, 2);
        }
        if (chosen is null && !Asked<VersionOption>(parse))
        {
            HelpText.WriteRoot(commands, Console.Error);
            return 2;
        }
        if (MpiSession.Refusal(chosen?.Command.Name) is { } refusal)
        {
            return Fail(refusal, 2);
        }
        using var interruption = new Interruption();
        try
        {
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null, Output = Console.Out, Error = Console.Error };
            int code = parse.InvokeAsync(invocation, interruption.Token).GetAwaiter().GetResult();
            MpiSession.End(code, null);
            return code;
        }
        catch (UsageException e)
        {
            return Fail(e.Message, 2);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled.", interruption.ExitCode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.TargetSite?.DeclaringType?.Assembly == typeof(Console).Assembly)
        {
            // The console's own stream failed, which on Unix it reports as a denied access: standard output was closed.
            return Fail("standard output is closed, so the command's output could not be written.", 1);
        }
        catch (Exception e) when (e is DataFormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or KeyNotFoundException or BackendUnavailableException or TrainingDivergedException or IOException
            or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail(e.Message, 1);
        }
    }

    /// <summary>Every command, in the order help lists them.</summary>
    internal static IReadOnlyList<CliCommand> Commands() =>
    [
        new QuickstartCommand(), new TrainCommand(), new EvaluateCommand(), new RecommendCommand(), new SimilarCommand(),
        new ScoreCommand(), new SplitCommand(), new TuneCommand(), new DevicesCommand(), new SelfTestCommand(), new BenchCommand(), new ExportCommand(), new UpdateCommand(),
    ];

    /// <summary>The first thing wrong with the command line, in one line naming the option; null when it can run.</summary>
    private static string? Problem(ParseResult parse, CliCommand? chosen)
    {
        var unmatched = parse.UnmatchedTokens;
        var options = unmatched.Where(t => t.Length > 1 && t.StartsWith('-')).ToList();
        if (chosen is null)
        {
            return unmatched.Count > 0 && options.Count < unmatched.Count
                ? $"unknown command '{unmatched.First(t => !options.Contains(t))}'. Run 'gpumf --help' for the list."
                : options.Count > 0 ? $"unknown option '{options[0]}'. Run 'gpumf --help' for the commands."
                : Asked<VersionOption>(parse) && parse.Errors.Count > 0 ? parse.Errors[0].Message
                : null;
        }
        string name = chosen.Command.Name;
        if (options.Count > 0)
        {
            return $"unknown option{(options.Count > 1 ? "s" : "")} for '{name}': {string.Join(", ", options)}. Run 'gpumf {name} --help' for its options.";
        }
        if (unmatched.Count > 0)
        {
            return $"unexpected argument '{unmatched[0]}' for '{name}': every value follows its option.";
        }
        if (chosen.Command.Options.FirstOrDefault(o => o.Required && parse.GetResult(o) is not { IdentifierTokenCount: > 0 }) is { } missing)
        {
            return $"'{name}' needs {missing.Name}.";
        }
        return parse.Errors.Count > 0 ? parse.Errors[0].Message : null;
    }

    /// <summary>Whether the root's help or version option was given.</summary>
    private static bool Asked<T>(ParseResult parse)
        where T : Option => parse.GetResult(parse.RootCommandResult.Command.Options.OfType<T>().Single()) is not null;

    /// <summary>Prints the failure (under mpirun, as <see cref="MpiSession.End"/> says) and returns its exit code.</summary>
    private static int Fail(string message, int code)
    {
        MpiSession.End(code, message);
        return code;
    }
}
