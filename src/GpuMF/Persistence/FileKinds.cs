using System.Runtime.InteropServices;

namespace GpuMF.Persistence;

/// <summary>What a path names, its symbolic links followed.</summary>
internal enum FileKind
{
    /// <summary>Nothing: the path or a folder on it does not exist.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A character device, such as <c>/dev/null</c> or <c>/dev/zero</c>.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A FIFO (named pipe), or a pipe behind <c>/dev/stdin</c> or <c>/dev/fd/N</c>.</summary>
    Pipe,

    /// <summary>A socket.</summary>
    Socket,
}

/// <summary>
/// Tells the kind of file at a path. .NET 10 has no portable call for it, so on Linux this asks the kernel
/// (statx, whose layout is the same on every architecture); elsewhere, and where statx is missing, it tells
/// only directories from everything else, which it takes for regular files.
/// </summary>
internal static partial class FileKinds
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 1;
    private const int ModeOffset = 28;
    private const int NoEntry = 2;
    private const int NotADirectory = 20;

    /// <summary>The kind of file at <paramref name="path"/>, its symbolic links followed.</summary>
    public static FileKind Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsLinux() && Statx(path) is { } kind)
        {
            return kind;
        }
        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>A kind in words, for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Pipe => "a pipe",
        FileKind.Socket => "a socket",
        _ => "nothing",
    };

    private static unsafe FileKind? Statx(string path)
    {
        byte* buffer = stackalloc byte[256];
        int result;
        try
        {
            result = StatxCall(AtCurrentDirectory, path, 0, StatxType, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        if (result != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            return error is NoEntry or NotADirectory ? FileKind.Missing : null;
        }
        return (*(ushort*)(buffer + ModeOffset) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Pipe,
            0xC000 => FileKind.Socket,
            _ => null,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxCall(int directory, string path, int flags, uint mask, byte* buffer);
}
