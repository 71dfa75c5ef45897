using System.Diagnostics;
using System.Runtime.InteropServices;
using GpuMF.Models;
using GpuMF.Tests.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

public sealed partial class InterruptTests
{
    internal const int SigInt = 2;
    internal const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, int mode);

    /// <summary>
    /// Ctrl+C (SIGINT) or SIGTERM once the first epoch is reported: the command exits with 130 or 143, the model
    /// file that was there is untouched, no temporary file is left, and a checkpoint, if one was written, is whole.
    /// </summary>
    [Theory]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task InterruptedTrainingKeepsTheExistingModelAndLeavesNoPartialFile(int signal, int exitCode)
    {
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string output = Path.Combine(dir, "model.gpumf");
            ModelFileTests.FixtureModel().Save(output);
            var before = File.ReadAllBytes(output);
            using var process = Start("train", "--model", "svd", "--data", TestData.Split("ml100k_explicit_train.tsv"),
                "--out", output, "--backend", "cpu", "--factors", "8", "--epochs", "10000", "--checkpoint-every", "1");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var err = new List<string>();
            string? line;
            while ((line = await process.StandardError.ReadLineAsync()) is not null)
            {
                err.Add(line);
                if (line.Contains("/10000", StringComparison.Ordinal))
                {
                    Assert.Equal(0, Kill(process.Id, signal));
                    break;
                }
            }
            err.AddRange((await process.StandardError.ReadToEndAsync()).Split('\n'));
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == exitCode, string.Join('\n', err));
            Assert.Contains("gpumf: cancelled.", err);
            Assert.Equal(string.Empty, await stdout);
            Assert.Equal(before, File.ReadAllBytes(output));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));
            if (File.Exists(output + ".ckpt"))
            {
                Assert.InRange(FactorModel.Load(output + ".ckpt").CompletedEpochs, 1, 9999);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// SIGTERM while split is still reading its data (from a pipe the test feeds): it stops at the next block
    /// read, exits with 143, and the outputs that were there keep their content.
    /// </summary>
    [Fact]
    public async Task SigTermWhileReadingDataStopsSplitAndKeepsItsOutputs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string fifo = Path.Combine(dir, "ratings.tsv");
            Assert.Equal(0, MakeFifo(fifo, Convert.ToInt32("600", 8)));
            string train = Path.Combine(dir, "train.tsv");
            string test = Path.Combine(dir, "test.tsv");
            File.WriteAllText(train, "old train\n");
            File.WriteAllText(test, "old test\n");
            using var process = Start("split", "--data", fifo, "--train-out", train, "--test-out", test);
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // Opening the pipe waits for split to open it, which it does once its signal handlers are set.
            await using (var writer = new StreamWriter(new FileStream(fifo, FileMode.Open, FileAccess.Write)))
            {
                await writer.WriteAsync("1\t2\t3\n2\t3\t4\n");
                await writer.FlushAsync();
                await Task.Delay(300);
                Assert.Equal(0, Kill(process.Id, SigTerm));
                await Task.Delay(300);
                await writer.WriteAsync("3\t4\t5\n");
                await writer.FlushAsync();
            }
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 143, await stderr);
            Assert.Equal("gpumf: cancelled.", (await stderr).Trim());
            Assert.Equal(string.Empty, await stdout);
            Assert.Equal("old train\n", File.ReadAllText(train));
            Assert.Equal("old test\n", File.ReadAllText(test));
            Assert.Equal(["ratings.tsv", "test.tsv", "train.tsv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        return Process.Start(start)!;
    }
}
