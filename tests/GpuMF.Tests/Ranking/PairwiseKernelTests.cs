using GpuMF.Conformance;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Ranking;

/// <summary>The BPR and WARP kernels on ILGPU's CPU accelerator against the managed CPU backend, one warp against one thread.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class PairwiseKernelTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData(5, 3, 11, 1, true, true, true)]
    [InlineData(37, 23, 301, 19, true, true, true)]
    [InlineData(13, 71, 250, 33, false, true, false)]
    [InlineData(101, 67, 1003, 64, true, false, true)]
    [InlineData(2, 2, 1, 5, false, false, false)]
    // 24,000 × 24,000 bits exceed the CPU backend's bitmap cap: its hashed filter must answer as the kernel's binary search does.
    [InlineData(24_000, 24_000, 2000, 4, true, true, true)]
    public void BprEpochMatchesCpuBackend(int users, int items, int positives, int factors, bool adagrad, bool itemBias, bool reject)
    {
        var result = PairwiseSelfTest.BprEpoch(fixture.Backend, users, items, positives, factors, (ulong)(users * 31 + factors), adagrad, itemBias, reject);
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }

    [Theory]
    [InlineData(7, 9, 20, 53, 1, true)]
    [InlineData(29, 41, 250, 397, 33, true)]
    [InlineData(29, 41, 250, 211, 64, false)]
    public void BprGivenTriplesMatchCpuBackend(int users, int items, int positives, int samples, int factors, bool adagrad)
    {
        var result = PairwiseSelfTest.BprGiven(fixture.Backend, users, items, positives, samples, factors, (ulong)(samples + factors), adagrad);
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }

    [Theory]
    [InlineData(5, 3, 11, 1, 1, true, true)]
    [InlineData(37, 23, 301, 19, 10, true, true)]
    [InlineData(13, 71, 250, 33, 37, false, true)]
    [InlineData(101, 67, 1003, 64, 5, true, false)]
    // Beyond the bitmap cap, as for BPR.
    [InlineData(24_000, 24_000, 2000, 4, 10, true, true)]
    public void WarpEpochMatchesCpuBackend(int users, int items, int positives, int factors, int maxSampled, bool adagrad, bool itemBias)
    {
        var result = PairwiseSelfTest.WarpEpoch(fixture.Backend, users, items, positives, factors, maxSampled, (ulong)(users * 31 + factors), adagrad, itemBias);
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }

    [Theory]
    [InlineData(7, 9, 20, 53, 1, 3, true)]
    [InlineData(29, 41, 250, 199, 33, 13, true)]
    [InlineData(29, 41, 250, 101, 64, 9, false)]
    [InlineData(11, 300, 400, 97, 19, 41, true)]
    public void WarpGivenSamplesMatchCpuBackend(int users, int items, int positives, int samples, int factors, int maxSampled, bool adagrad)
    {
        var result = PairwiseSelfTest.WarpGiven(fixture.Backend, users, items, positives, samples, factors, maxSampled, (ulong)(samples + factors), adagrad);
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }
}
