using System.Diagnostics;
using System.Text.RegularExpressions;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>
/// README's console-host walk-through runs as written, in order, in an empty folder: each line uses only files
/// that a line before it made. The download line is the one line replaced, by MovieLens 1M from GPUMF_DATA.
/// </summary>
public sealed partial class ReadmeCommandTests
{
    [Fact]
    public async Task TheConsoleHostWalkThroughRunsInOrder()
    {
        string readme = File.ReadAllText(Path.Combine(LayeringTests.RepositoryRoot(), "README.md"));
        string section = readme[readme.IndexOf("## The console host `gpumf`", StringComparison.Ordinal)..];
        var lines = ShellBlock().Match(section).Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("curl ", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("gpumf ", l));

        string folder = Directory.CreateTempSubdirectory("gpumf-readme-").FullName;
        try
        {
            string source = Path.Combine(TestData.Root, "ml-1m");
            Directory.CreateDirectory(Path.Combine(folder, "ml-1m"));
            string ratings = Path.Combine(source, "ratings.dat");
            File.CreateSymbolicLink(Path.Combine(folder, "ml-1m", "ratings.dat"), File.Exists(ratings) ? ratings : Path.Combine(source, "ratings_without_timestamps.dat"));
            File.CreateSymbolicLink(Path.Combine(folder, "ml-1m", "movies.dat"), Path.Combine(source, "movies.dat"));
            File.CreateSymbolicLink(Path.Combine(folder, "ml-1m", "users.dat"), Path.Combine(source, "users.dat"));
            // set -x shows on stderr each command as it runs, so a failure names its line.
            string script = $"set -eux\ngpumf() {{ dotnet '{Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll")}' \"$@\"; }}\n" + string.Join('\n', lines.Skip(1)) + "\n";
            var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, errors);
            Assert.Contains("Top 10 for user 42:", await output);
            Assert.Contains("user,rank,item,score\n42,1,", await output);
            Assert.Contains("Top 10 for a new user described as age=25-34, gender=F, occupation=programmer:", await output);
            foreach (string made in new[] { "train.tsv", "test.tsv", "svd.gpumf", "als.gpumf", "top10.parquet", "similar.csv", "als-npy/model.json", "als-npy/user_factors.npy", "hybrid.gpumf" })
            {
                Assert.True(File.Exists(Path.Combine(folder, made)), made);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
