namespace GpuMF.Persistence;

/// <summary>
/// Writes a file through a temporary file beside it, renamed into place only once the write succeeded,
/// so a failed or interrupted write never leaves a partial file nor loses the previous one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Calls <paramref name="write"/> with a stream to a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string temp = full + $".tmp{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
