using System.Diagnostics;
using GpuMF.Data;

namespace GpuMF.Bench;

/// <summary>
/// Rebuilds the fixed train/test splits from the raw MovieLens files: <c>splits [--data DIR] [--out DIR]</c>.
/// Reads <c>DIR/ml-1m</c> and <c>DIR/ml-100k</c> (default <c>$GPUMF_DATA</c>), writes all twelve files to the
/// output folder (default <c>splits</c> in the working folder) and prints each file's SHA-256 and whether it
/// equals the published one (data/README.md). Exits 1 when any file differs.
/// </summary>
internal static class SplitsRun
{
    public const string Command = "splits";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(Command, args);
        string? data = options.Get("data") ?? Environment.GetEnvironmentVariable("GPUMF_DATA");
        string output = options.Get("out", "splits");
        options.RejectUnknown();
        if (string.IsNullOrEmpty(data))
        {
            throw new BenchUsageException("give --data DIR (the folder holding ml-1m/ and ml-100k/) or set GPUMF_DATA.");
        }

        var clock = Stopwatch.StartNew();
        var files = FixedSplits.Regenerate(data, FixedSplits.Names);
        Directory.CreateDirectory(output);
        int mismatches = 0;
        foreach (var file in files)
        {
            File.WriteAllBytes(Path.Combine(output, file.Name), file.Contents);
            string verdict = file.MatchesRecorded ? "matches" : $"DIFFERS (recorded {file.RecordedSha256})";
            mismatches += file.MatchesRecorded ? 0 : 1;
            Console.WriteLine($"{file.Sha256}  {file.Name}  {verdict}");
        }
        Console.WriteLine(mismatches == 0
            ? $"all {files.Count} files match the recorded SHA-256 ({clock.Elapsed.TotalSeconds:F1} s); written to {output}"
            : $"{mismatches} of {files.Count} files differ from the recorded SHA-256; written to {output}");
        return mismatches == 0 ? 0 : 1;
    }
}
