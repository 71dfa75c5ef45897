using System.Security.Cryptography;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary>
/// Checks on a command's outputs made before any work, so that a job does not train for an hour to fail at
/// the end: a file output is not a directory and its folder exists and takes new files; no output is one of
/// the command's inputs or another of its outputs (compared as full paths, links followed).
/// </summary>
internal static class OutputPaths
{
    /// <summary>The name of standard output where an option takes it.</summary>
    public const string StandardOutput = "-";

    /// <summary>
    /// Checks that <paramref name="path"/> can be written as a file as <c>AtomicFile</c> writes it: a temporary
    /// file in the folder of its final target, renamed over it. A device or pipe is written to directly, so only
    /// its being there counts.
    /// </summary>
    /// <exception cref="UsageException">It cannot; the message names <paramref name="option"/> and the path.</exception>
    public static void CheckFile(string path, string option)
    {
        string target = Resolve(path);
        switch (FileKinds.Of(target))
        {
            case FileKind.Directory:
                throw new UsageException($"{option} {path} is a directory; give a file name in it.");
            case FileKind.Missing or FileKind.Regular:
                CheckFolder(Path.GetDirectoryName(target)!, option, path);
                break;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on standard output for <see cref="StandardOutput"/>, else on a file written through
    /// <see cref="AtomicFile"/>, so that a run that fails part-way leaves no partial file.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        if (path == StandardOutput)
        {
            using var stdout = Console.OpenStandardOutput();
            write(stdout);
        }
        else
        {
            AtomicFile.Write(path, write);
        }
    }

    /// <summary>Whether <paramref name="path"/> names a device, pipe or socket (links followed): written to, never replaced.</summary>
    public static bool IsStream(string path) => FileKinds.Of(Resolve(path)) is not (FileKind.Missing or FileKind.Regular or FileKind.Directory);

    /// <summary>Checks that <paramref name="path"/> is a folder that takes new files, or can be made as one (its parent does).</summary>
    /// <exception cref="UsageException">It is a file, or neither it nor its parent takes files.</exception>
    public static void CheckDirectory(string path, string option)
    {
        string full = Resolve(path);
        switch (FileKinds.Of(full))
        {
            case FileKind.Directory:
                CheckFolder(full, option, path);
                break;
            case FileKind.Missing:
                CheckFolder(Path.GetDirectoryName(full)!, option, path);
                break;
            default:
                throw new UsageException($"{option} {path} is not a folder; give a folder to write the files in (made if missing).");
        }
    }

    /// <summary>
    /// Refuses an output that is an input or another output: the first of <paramref name="files"/> that names
    /// the same file as one before it is reported. Null paths (options not given) and standard output are skipped.
    /// </summary>
    /// <param name="outputs">How many of <paramref name="files"/>, from the start, are outputs; the rest are inputs.</param>
    /// <param name="files">Each file with the option that names it.</param>
    /// <exception cref="UsageException">Two name the same file.</exception>
    public static void Distinct(int outputs, params (string Option, string? Path)[] files)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var seen = new List<(string Option, string Path, string Full)>();
        for (int k = 0; k < files.Length; k++)
        {
            if (files[k].Path is not { } path || path == StandardOutput)
            {
                continue;
            }
            string full = Resolve(path);
            foreach (var (option, given, other) in seen)
            {
                if (string.Equals(full, other, comparison))
                {
                    throw new UsageException(k < outputs
                        ? $"{files[k].Option} {path} is also {option}: give each output its own file."
                        : $"{option} {given} would overwrite {files[k].Option} {path}, which the command reads: give the output another name.");
                }
            }
            // Only outputs can be overwritten: two inputs may well be one file.
            if (k < outputs)
            {
                seen.Add((files[k].Option, path, full));
            }
        }
    }

    /// <summary>The full path, with a symbolic link followed to its final target, as AtomicFile writes it.</summary>
    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        return info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)!.FullName;
    }

    /// <summary>Creates and removes a file of a random name in <paramref name="folder"/>: the one sure test that a new file can be made there.</summary>
    private static void CheckFolder(string folder, string option, string path)
    {
        if (!Directory.Exists(folder))
        {
            throw new UsageException($"{option} {path}: the folder {folder} does not exist.");
        }
        string probe = Path.Combine(folder, $".gpumf-probe-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        try
        {
            using var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path}: cannot create a file in {folder} (no write permission, or a read-only file system).");
        }
    }
}
