using GpuMF.Als;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF;

/// <summary>
/// Every model family this build trains, the one list the console host's commands and help, the benchmarks,
/// quickstart and model loading read. Adding a model is a family folder, its kernels, and one entry here.
/// </summary>
public static class ModelRegistry
{
    /// <summary>The families, in the order help lists them.</summary>
    public static IReadOnlyList<ModelFamily> All { get; } = [new SvdFamily(), new AlsFamily(), new BprFamily(), new WarpFamily()];

    /// <summary>The family of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No family of this build has that kind.</exception>
    public static ModelFamily Of(ModelKind kind) =>
        All.FirstOrDefault(f => f.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, $"No model family of kind {kind} in this build.");

    /// <summary>The family named <paramref name="name"/> (svd, als, bpr, warp; case-insensitive).</summary>
    /// <exception cref="ArgumentException">No family has that name; the message lists the names.</exception>
    public static ModelFamily Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown model '{name}': expected {Names("or")}.");
    }

    /// <summary>The names joined for messages: "svd, als, bpr or warp".</summary>
    public static string Names(string lastJoin) =>
        string.Join(", ", All.Take(All.Count - 1).Select(f => f.Name)) + $" {lastJoin} " + All[^1].Name;
}
