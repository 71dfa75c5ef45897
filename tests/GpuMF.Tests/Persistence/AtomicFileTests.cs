using System.Diagnostics;
using System.Runtime.Versioning;
using GpuMF.Persistence;

namespace GpuMF.Tests.Persistence;

/// <summary>
/// What <see cref="AtomicFile"/> does to what sits at the output path: links stay links, modes stay, devices
/// and pipes are written to rather than replaced, links planted at temporary names are not followed, and a
/// failure leaves the old file as it was. These tests run as root in CI, where nothing would stop a rename
/// over <c>/dev/null</c>.
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    private static void WriteText(string path, string text) => AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>The file type as stat(1) names it, asked of the system rather than of the code under test.</summary>
    private static string FileType(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string type = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return type;
    }

    private static void MakeFifo(string path)
    {
        using var process = Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public void WritesANewFileAndReplacesAnOldOne()
    {
        string path = In("out.bin");
        WriteText(path, "first");
        WriteText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal(["out.bin"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void ASymbolicLinkStaysALinkToTheNewContent()
    {
        Directory.CreateDirectory(In("real"));
        string target = In(Path.Combine("real", "model.gpumf"));
        File.WriteAllText(target, "old");
        string link = In("model.gpumf");
        File.CreateSymbolicLink(link, Path.Combine("real", "model.gpumf"));
        WriteText(link, "new");
        Assert.Equal(Path.Combine("real", "model.gpumf"), new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(In("real")));
        Assert.Equal("symbolic link", FileType(link));
    }

    [Fact]
    public void ADanglingLinkGetsItsTargetCreated()
    {
        string link = In("dangling");
        File.CreateSymbolicLink(link, "made-by-write");
        WriteText(link, "content");
        Assert.Equal("content", File.ReadAllText(In("made-by-write")));
        Assert.Equal("made-by-write", new FileInfo(link).LinkTarget);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void AReplacedFileKeepsItsMode()
    {
        string path = In("secret.gpumf");
        File.WriteAllText(path, "old");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);
        WriteText(path, "new");
        Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void AHardLinkKeepsTheOldContent()
    {
        string path = In("a");
        File.WriteAllText(path, "old");
        using (var ln = Process.Start("ln", [path, In("b")]))
        {
            ln.WaitForExit();
        }
        WriteText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal("old", File.ReadAllText(In("b")));
    }

    [Fact]
    public void DevNullIsWrittenToNotReplaced()
    {
        Assert.Equal("character special file", FileType("/dev/null"));
        WriteText("/dev/null", "discarded");
        Assert.Equal("character special file", FileType("/dev/null"));
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null"));
    }

    [Fact]
    public async Task ANamedPipeIsWrittenToNotReplaced()
    {
        string fifo = In("pipe");
        MakeFifo(fifo);
        var reader = Task.Run(() => File.ReadAllText(fifo));
        WriteText(fifo, "through the pipe");
        Assert.Equal("through the pipe", await reader);
        Assert.Equal("fifo", FileType(fifo));
        Assert.Single(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void AFolderIsAnError()
    {
        var e = Assert.Throws<IOException>(() => WriteText(_folder, "x"));
        Assert.Equal($"Cannot write '{_folder}': it is a directory.", e.Message);
    }

    /// <summary>
    /// The old temporary name was the path plus ".tmp" and the process id, created with FileMode.Create: a link
    /// planted there sent the model over whatever it pointed to. The name is random now, and opened only if new.
    /// </summary>
    [Fact]
    public void ALinkPlantedAtATemporaryNameIsNotFollowed()
    {
        string victim = In("victim");
        File.WriteAllText(victim, "precious");
        string path = In("model.gpumf");
        string planted = $"{path}.tmp{Environment.ProcessId}";
        File.CreateSymbolicLink(planted, victim);
        WriteText(path, "model");
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal("model", File.ReadAllText(path));
        Assert.Equal(victim, new FileInfo(planted).LinkTarget);
    }

    [Fact]
    public void TheTemporaryFileIsBesideTheTargetAndNamedAtRandom()
    {
        string path = In("out.bin");
        var seen = new List<string>();
        for (int n = 0; n < 2; n++)
        {
            AtomicFile.Write(path, s =>
            {
                seen.AddRange(Directory.GetFiles(_folder).Where(f => f != path));
                s.WriteByte(1);
            });
        }
        Assert.Equal(2, seen.Count);
        Assert.NotEqual(seen[0], seen[1]);
        Assert.All(seen, t => Assert.StartsWith(path + ".", t));
        Assert.All(seen, t => Assert.DoesNotContain(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), t[path.Length..]));
        Assert.Equal(["out.bin"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        string path = In("model.gpumf");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidOperationException("training diverged");
        }));
        Assert.Equal("training diverged", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["model.gpumf"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void ErrorsNameThePathGivenNotTheTemporaryFile()
    {
        string path = Path.Combine(_folder, "absent", "model.gpumf");
        var e = Assert.Throws<DirectoryNotFoundException>(() => WriteText(path, "x"));
        Assert.Contains($"'{path}'", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }
}
