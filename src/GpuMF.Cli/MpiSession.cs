using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>
/// <c>gpumf train</c> and <c>gpumf score</c> under Open MPI's <c>mpirun</c>: one rank per machine (or
/// per process), all with the same command line and the same data. Rank 0 alone prints and writes the model; the other ranks are silent
/// (their standard output and error go nowhere) but for a failure of their own. Outside mpirun nothing here runs.
/// A failure only one rank can see ends the whole job (MPI_Abort); each other rank, stopped by mpirun, says so.
/// </summary>
internal sealed class MpiSession : IDisposable
{
    /// <summary>Options that do not change the model (what <c>--options</c> names is compared as the model options it yields).</summary>
    private static readonly HashSet<string> Unhashed = ["--out", "--json", "--threads", "--checkpoint-every", "--options"];

    /// <summary>Options naming a file whose bytes every rank must share.</summary>
    private static readonly string[] Files = ["--data", "--validation"];

    private readonly TextWriter _error;
    private readonly PosixSignalRegistration _stopped;
    private bool _ended;

    private MpiSession(MpiCommunicator communicator)
    {
        Communicator = communicator;
        _error = Console.Error;
        if (communicator.Rank != 0)
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
        }
        // mpirun stops the remaining ranks with SIGTERM (then SIGKILL a second later) when one fails or dies; a rank
        // blocked in a collective never reaches a cancellation check, so it says what happened at once.
        _stopped = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Report("the MPI job was stopped (another rank failed or died, or mpirun was stopped); no model was written."));
    }

    /// <summary>The session of this process, once <see cref="Start"/> made one.</summary>
    public static MpiSession? Current { get; private set; }

    /// <summary>The job's ranks.</summary>
    public MpiCommunicator Communicator { get; }

    /// <summary>True on rank 0, the rank that prints and writes.</summary>
    public bool IsRoot => Communicator.Rank == 0;

    /// <summary>Why <paramref name="command"/> cannot run under mpirun, or null when it can (or mpirun did not start this process).</summary>
    public static string? Refusal(string? command) =>
        MpiCommunicator.LaunchedByMpirun && command is not null && command is not ("train" or "score")
            ? $"under mpirun, gpumf runs 'train' (its ranks share the work of one model) and 'score' (its ranks share the users) only; run '{command}' without mpirun."
            : null;

    /// <summary>Whether a usage error should be printed here: under mpirun only by rank 0, since every rank has the same command line.</summary>
    public static bool PrintsUsage => !MpiCommunicator.LaunchedByMpirun || MpiCommunicator.LaunchedRank == 0;

    /// <summary>
    /// Starts MPI for training when mpirun started this process (every model trains across ranks); null outside mpirun.
    /// </summary>
    /// <exception cref="UsageException">Under mpirun, the backend is not cpu.</exception>
    /// <exception cref="MpiUnavailableException">The Open MPI library is missing.</exception>
    public static MpiSession? Start(ModelFamily family, string backend)
    {
        if (!MpiCommunicator.LaunchedByMpirun)
        {
            return null;
        }
        if (backend != "cpu")
        {
            throw new UsageException($"under mpirun, {family.Name} trains on each rank's managed CPU backend: give --backend cpu (got {backend}).");
        }
        return StartJob();
    }

    /// <summary>Starts MPI when mpirun started this process, whatever the backend (<c>score</c>: each rank scores its own users on its own); null outside mpirun.</summary>
    /// <exception cref="MpiUnavailableException">The Open MPI library is missing.</exception>
    public static MpiSession? StartJob()
    {
        if (!MpiCommunicator.LaunchedByMpirun)
        {
            return null;
        }
        Current = new MpiSession(MpiCommunicator.Initialize());
        return Current;
    }

    /// <summary>
    /// Compares a SHA-256 of every rank's inputs (the data, validation and model files' bytes, the checkpoint resumed from,
    /// the model options and every option that changes the model) with rank 0's; all ranks fail together when any differs.
    /// </summary>
    /// <exception cref="UsageException">A rank's inputs differ from rank 0's; the message names the ranks.</exception>
    /// <param name="parse">The command line.</param>
    /// <param name="optionsJson">The model options it yields (train), or empty.</param>
    /// <param name="resumedCheckpoint">The checkpoint resumed from, or null.</param>
    /// <param name="files">Further options naming a file whose bytes every rank must share (score's <c>--model</c>).</param>
    public void RequireSameInputs(ParseResult parse, string optionsJson, string? resumedCheckpoint, params string[] files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, optionsJson);
        foreach (var option in parse.CommandResult.Children.OfType<OptionResult>().OrderBy(o => o.Option.Name, StringComparer.Ordinal))
        {
            string name = option.Option.Name;
            var values = option.Tokens.Select(t => t.Value).ToList();
            Add(hash, name);
            if (Files.Contains(name) || files.Contains(name))
            {
                values.ForEach(file => AddFile(hash, file));
            }
            else if (!Unhashed.Contains(name))
            {
                values.ForEach(value => Add(hash, value));
            }
        }
        if (resumedCheckpoint is not null)
        {
            AddFile(hash, resumedCheckpoint);
        }
        var mine = hash.GetHashAndReset();
        var root = mine.ToArray();
        Communicator.Broadcast(root, 0);
        var differs = new int[Communicator.Size];
        differs[Communicator.Rank] = mine.AsSpan().SequenceEqual(root) ? 0 : 1;
        Communicator.SumInPlace(differs);
        var ranks = Enumerable.Range(0, differs.Length).Where(r => differs[r] != 0).ToList();
        if (ranks.Count > 0)
        {
            throw new UsageException($"rank{(ranks.Count > 1 ? "s" : "")} {string.Join(", ", ranks)} of {Communicator.Size} {(ranks.Count > 1 ? "were" : "was")} given other data or options than rank 0 (the data files' bytes, the model and reading options are compared): start every rank with the same command line and the same files.");
        }
    }

    /// <summary>
    /// Ends the session with the command's exit code: finalises MPI when every rank ends the same way (success, or a
    /// usage error, which each rank finds from the same inputs), else reports the failure from this rank and aborts
    /// the job so that no rank waits forever for this one. Only rank 0 prints a usage error.
    /// </summary>
    public static void End(int code, string? message)
    {
        if (Current is not { } session || session._ended)
        {
            // Under mpirun but before MPI runs (the library missing, say), a failure may be one machine's: the rank says who it is.
            string rank = MpiCommunicator.LaunchedByMpirun && code != 2
                ? $"rank {MpiCommunicator.LaunchedRank} of {Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE")}: "
                : "";
            if (message is not null && (code != 2 || PrintsUsage))
            {
                Console.Error.WriteLine($"gpumf: {rank}{JsonText.Printable(message)}");
            }
            return;
        }
        session._ended = true;
        if (code is 0 or 2)
        {
            if (message is not null && session.IsRoot)
            {
                session._error.WriteLine($"gpumf: {JsonText.Printable(message)}");
            }
            session.Dispose();
            return;
        }
        session.Report(message ?? $"failed with exit code {code}.");
        session.Communicator.Abort(code);
    }

    public void Dispose()
    {
        _stopped.Dispose();
        Communicator.Dispose();
    }

    private void Report(string message) => _error.WriteLine($"gpumf: rank {Communicator.Rank} of {Communicator.Size}: {JsonText.Printable(message)}");

    private static void Add(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData([0]);
    }

    private static void AddFile(IncrementalHash hash, string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
        }
        hash.AppendData([0]);
    }
}
