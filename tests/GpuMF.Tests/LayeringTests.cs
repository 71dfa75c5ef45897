using System.Text.RegularExpressions;

namespace GpuMF.Tests;

/// <summary>
/// The library's namespaces form layers (README, "Layout"): each file may import only namespaces of lower
/// layers, and no model family imports another. Read from the sources, so that a dependency pointing up fails here.
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly Dictionary<string, int> Layers = new()
    {
        ["GpuMF.Data"] = 0,
        ["GpuMF.Backends"] = 1,
        ["GpuMF.Mpi"] = 2,
        ["GpuMF.TopN"] = 3,
        ["GpuMF.Models"] = 4,
        ["GpuMF.Persistence"] = 5,
        ["GpuMF.Evaluation"] = 6,
        ["GpuMF.Training"] = 7,
        ["GpuMF.Svd"] = 8,
        ["GpuMF.Als"] = 8,
        ["GpuMF.Pairwise"] = 8,
        ["GpuMF.Conformance"] = 9,
        ["GpuMF"] = 10,
    };

    [Fact]
    public void EveryLibraryFileImportsOnlyLowerLayers()
    {
        var library = Path.Combine(RepositoryRoot(), "src", "GpuMF");
        var files = Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 50, $"found only {files.Count} source files under {library}");
        var violations = new List<string>();
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            string own = NamespaceLine().Match(text).Groups[1].Value;
            Assert.True(Layers.ContainsKey(own), $"{file}: namespace '{own}' has no layer; add it to README's picture and to this test");
            string folder = Path.GetRelativePath(library, Path.GetDirectoryName(file)!);
            Assert.Equal(folder == "." ? "GpuMF" : "GpuMF." + folder.Replace(Path.DirectorySeparatorChar, '.'), own);
            foreach (Match m in UsingLine().Matches(text))
            {
                string used = m.Groups[1].Value;
                if (used.StartsWith("GpuMF.Kernels", StringComparison.Ordinal))
                {
                    continue;
                }
                if (!Layers.TryGetValue(used, out int layer) || layer >= Layers[own])
                {
                    violations.Add($"{Path.GetRelativePath(library, file)} ({own}) imports {used}");
                }
            }
        }
        Assert.True(violations.Count == 0, "imports that point up or sideways:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void NoTwoNamespacesImportEachOther()
    {
        // The layer order implies it; this states it directly for any namespace the order does not list yet.
        var library = Path.Combine(RepositoryRoot(), "src", "GpuMF");
        var edges = new HashSet<(string From, string To)>();
        foreach (var file in Directory.EnumerateFiles(library, "*.cs", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            string own = NamespaceLine().Match(text).Groups[1].Value;
            foreach (Match m in UsingLine().Matches(text))
            {
                edges.Add((own, m.Groups[1].Value));
            }
        }
        var cycles = edges.Where(e => e.From != e.To && edges.Contains((e.To, e.From))).Select(e => $"{e.From} ⇄ {e.To}").ToList();
        Assert.True(cycles.Count == 0, string.Join(", ", cycles));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GpuMF.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No GpuMF.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^namespace (GpuMF[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^using (GpuMF[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
