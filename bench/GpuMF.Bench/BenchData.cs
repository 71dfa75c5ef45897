using GpuMF.Data;

namespace GpuMF.Bench;

/// <summary>Where the benchmarks find MovieLens and the fixed splits (<c>$GPUMF_DATA</c>), and how they read a split.</summary>
internal static class BenchData
{
    /// <summary><c>$GPUMF_DATA</c>, the folder that holds <paramref name="holding"/> (named in the error).</summary>
    /// <exception cref="BenchUsageException">GPUMF_DATA is not set.</exception>
    public static string Root(string holding) =>
        Environment.GetEnvironmentVariable("GPUMF_DATA") is { Length: > 0 } root
            ? root
            : throw new BenchUsageException($"set GPUMF_DATA to the folder holding {holding} (see data/README.md).");

    /// <summary>The folder of the fixed splits, <c>$GPUMF_DATA/splits</c>.</summary>
    /// <exception cref="BenchUsageException">GPUMF_DATA is not set.</exception>
    public static string Splits() => Path.Combine(Root("splits/"), "splits");

    /// <summary>A split file as the console host reads it: its rows, or for an implicit model their positives of value 1.</summary>
    public static RatingTable Read(string path, bool positives)
    {
        var table = RatingFileReader.Read(path);
        return positives ? table.Positives() : table;
    }
}
