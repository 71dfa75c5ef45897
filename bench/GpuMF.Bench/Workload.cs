using System.Globalization;
using GpuMF.Data;

namespace GpuMF.Bench;

/// <summary>
/// The synthetic input of a benchmark case: <see cref="SyntheticData.Generate"/> with seed 1 (Zipf-like
/// item popularity and user activity). Shown in the summary's <c>Size</c> column as
/// <c>users x items, interactions</c>.
/// </summary>
/// <param name="Users">Users, at least 1.</param>
/// <param name="Items">Items, at least 2.</param>
/// <param name="Interactions">About this many distinct (user, item) pairs, at most users × items / 10.</param>
/// <param name="FitsIlgpuCpu">
/// Small enough for ILGPU's CPU accelerator, which simulates warps with threads and runs the kernels
/// hundreds to thousands of times slower than the managed CPU backend; <see cref="BackendConfig"/> runs
/// <see cref="BackendBenchmark.IlgpuCpu"/> on such inputs only.
/// </param>
public sealed record Workload(int Users, int Items, long Interactions, bool FitsIlgpuCpu) : IComparable<Workload>, IComparable
{
    /// <summary>The BPR and WARP inputs: 2,000 × 1,000 with 20k positives (every backend) and ML-1M's size, 6,040 × 3,706 with 575k (no IlgpuCpu).</summary>
    public static IEnumerable<Workload> Pairwise() =>
    [
        new(2_000, 1_000, 20_000, FitsIlgpuCpu: true),
        new(6_040, 3_706, 575_000, FitsIlgpuCpu: false),
    ];

    /// <summary>Generates the interactions: ratings 1..5 when <paramref name="explicitRatings"/>, else positives of value 1.</summary>
    public InteractionMatrix Generate(bool explicitRatings) =>
        SyntheticData.Generate(Users, Items, Interactions, explicitRatings, seed: 1);

    /// <summary>Orders the summary's rows from the smallest input to the largest.</summary>
    public int CompareTo(Workload? other) => other is null ? 1 : (Interactions, Users, Items).CompareTo((other.Interactions, other.Users, other.Items));

    /// <inheritdoc cref="CompareTo(Workload)"/>
    public int CompareTo(object? obj) => CompareTo(obj as Workload);

    /// <summary>For example <c>6040x3706, 575k</c> (BenchmarkDotNet cuts parameter text after 20 characters).</summary>
    public override string ToString() => $"{Users}x{Items}, {Short(Interactions)}";

    private static string Short(long n) => n switch
    {
        >= 1_000_000 when n % 1_000_000 == 0 => $"{n / 1_000_000}M",
        >= 1_000 when n % 1_000 == 0 => $"{n / 1_000}k",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}
