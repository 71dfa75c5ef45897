using System.Security.Cryptography;

namespace GpuMF.Persistence;

/// <summary>
/// Writes a file through a temporary file beside it, renamed into place only once the write succeeded and
/// reached the disk, so a failed or interrupted write never leaves a partial file nor loses the previous one.
/// </summary>
/// <remarks>
/// What the path names decides how it is written:
/// <list type="bullet">
/// <item>Nothing, or a regular file: a temporary file with a random name is created exclusively in the same
/// folder (so that a link planted at a name known in advance is never followed), written, flushed to disk
/// (fsync) and renamed over the path. A file replaced keeps its permission bits (not its owner). Renaming
/// replaces the name, not the file: a hard link to the old file keeps the old content.</item>
/// <item>A symbolic link: the link is followed to its final target, which is replaced as above, through a
/// temporary file in the target's folder, so that the link stays a link and points to the new content.</item>
/// <item>A device, pipe or socket (<c>/dev/null</c>, <c>/dev/stdout</c>, a named pipe): written to directly,
/// as a shell redirection would, since there is no file to replace; such a write is not atomic.</item>
/// <item>A directory: an <see cref="IOException"/>.</item>
/// </list>
/// On any failure the temporary file is deleted and whatever was at the path is left as it was. Errors name
/// the path given, never the temporary file.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> with a stream to a temporary file, then renames it to <paramref name="path"/> (see the remarks on <see cref="AtomicFile"/>).</summary>
    /// <exception cref="IOException"><paramref name="path"/> is a directory, or the file cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        string target = info.LinkTarget is null ? full : info.ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        switch (FileKinds.Of(target))
        {
            case FileKind.Missing:
                Replace(path, target, null, write);
                break;
            case FileKind.Regular:
                Replace(path, target, OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(target), write);
                break;
            case FileKind.Directory:
                throw new IOException($"Cannot write '{path}': it is a directory.");
            default:
                using (var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16))
                {
                    write(stream);
                }
                break;
        }
    }

    private static void Replace(string path, string target, UnixFileMode? mode, Action<Stream> write)
    {
        string temp = $"{target}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        bool created = false;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                created = true;
                if (mode is { } m && !OperatingSystem.IsWindows())
                {
                    // Before any byte is written, so that a private file's content is never readable by others.
                    File.SetUnixFileMode(stream.SafeFileHandle, m);
                }
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
            created = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.Message.Contains(temp, StringComparison.Ordinal))
        {
            string message = e.Message.Replace(temp, path, StringComparison.Ordinal);
            throw e switch
            {
                UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
                DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
                _ => new IOException(message, e),
            };
        }
        finally
        {
            if (created)
            {
                File.Delete(temp);
            }
        }
    }
}
