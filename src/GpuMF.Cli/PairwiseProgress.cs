using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>Shows progress on the shared progress bar, and after the last epoch of BPR or WARP the pairwise figures it has no room for.</summary>
internal sealed class PairwiseProgress(IProgress<EpochReport> bar) : IProgress<EpochReport>
{
    public static IProgress<EpochReport>? Wrap(IProgress<EpochReport>? bar) => bar is null ? null : new PairwiseProgress(bar);

    public void Report(EpochReport r)
    {
        bar.Report(r);
        if (r.Epoch == r.Epochs && r.NegativesPerSample is not null)
        {
            Console.Error.WriteLine(Describe(r));
        }
    }

    /// <summary>One line on an epoch: samples per second, negatives per sample, and the fraction ranked right (BPR) or that found a violator (WARP).</summary>
    public static string Describe(EpochReport r)
    {
        string fraction = r.ViolatorFraction is { } v ? $"{v:P1} of positives found a violator"
            : r.RankedCorrectlyFraction is { } c ? $"{c:P1} of triples ranked right before their step" : "";
        return $"epoch {r.Epoch}: {r.UpdatesPerSecond / 1e6:F2} M samples/s, {r.NegativesPerSample:F2} negatives per sample, {fraction}";
    }
}
