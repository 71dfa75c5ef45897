namespace GpuMF.Tests.Support;

/// <summary>Finds the shared MovieLens data through GPUMF_DATA.</summary>
public static class TestData
{
    /// <summary>The data folder; the tests that need it fail (not skip) without it, since CI always provides it.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("GPUMF_DATA") is { Length: > 0 } root && Directory.Exists(root)
            ? root
            : throw new InvalidOperationException("Set GPUMF_DATA to the folder holding ml-1m/, ml-100k/ and splits/ (see data/README.md).");

    public static string Split(string name) => Path.Combine(Root, "splits", name);

    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"gpumf-test-{Guid.NewGuid():N}{extension}");
}
