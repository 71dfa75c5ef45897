using System.Diagnostics;
using System.Runtime.InteropServices;
using GpuMF.Models;
using GpuMF.Tests.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

public sealed partial class InterruptTests
{
    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// Ctrl+C (SIGINT) once the first epoch is reported: the command exits with 130, the model file that was
    /// there is untouched, no temporary file is left, and a checkpoint, if one was written, is whole.
    /// </summary>
    [Fact]
    public async Task InterruptedTrainingKeepsTheExistingModelAndLeavesNoPartialFile()
    {
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string output = Path.Combine(dir, "model.gpumf");
            ModelFileTests.FixtureModel().Save(output);
            var before = File.ReadAllBytes(output);
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll"), "train", "--model", "svd", "--data", TestData.Split("ml100k_explicit_train.tsv"),
                "--out", output, "--backend", "cpu", "--factors", "8", "--epochs", "10000", "--checkpoint-every", "1",
            })
            {
                start.ArgumentList.Add(a);
            }
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var err = new List<string>();
            string? line;
            while ((line = await process.StandardError.ReadLineAsync()) is not null)
            {
                err.Add(line);
                if (line.Contains("/10000", StringComparison.Ordinal))
                {
                    Assert.Equal(0, Kill(process.Id, SigInt));
                    break;
                }
            }
            err.AddRange((await process.StandardError.ReadToEndAsync()).Split('\n'));
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 130, string.Join('\n', err));
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
}
