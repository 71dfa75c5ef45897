namespace GpuMF.Conformance;

/// <summary>One kernel checked against the managed CPU backend.</summary>
/// <param name="Kernel">Which kernel.</param>
/// <param name="Case">The input's shape.</param>
/// <param name="MaxError">Largest error |a − b| / max(|b|, 1) over every output.</param>
/// <param name="Tolerance">The bound it must stay under.</param>
/// <param name="Seconds">Wall time of the device run.</param>
public sealed record SelfTestResult(string Kernel, string Case, double MaxError, double Tolerance, double Seconds)
{
    /// <summary>True when <see cref="MaxError"/> ≤ <see cref="Tolerance"/>.</summary>
    public bool Passed => MaxError <= Tolerance;

    /// <summary>Largest |a − b| / max(|b|, 1) between <paramref name="actual"/> and <paramref name="expected"/>; infinity when lengths differ or a value is not finite.</summary>
    public static double Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            return double.PositiveInfinity;
        }
        double max = 0;
        for (int n = 0; n < actual.Length; n++)
        {
            double e = Math.Abs((double)actual[n] - expected[n]) / Math.Max(Math.Abs((double)expected[n]), 1.0);
            if (!double.IsFinite(e))
            {
                return double.PositiveInfinity;
            }
            max = Math.Max(max, e);
        }
        return max;
    }
}
