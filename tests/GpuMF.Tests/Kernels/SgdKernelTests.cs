using GpuMF.Conformance;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Kernels;

[Collection(IlgpuCpuCollection.Name)]
public sealed class SgdKernelTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData(5, 3, 11, 1)]
    [InlineData(2, 2, 1, 4)]
    [InlineData(2, 2, 1, 5)]
    [InlineData(37, 23, 301, 19)]
    [InlineData(101, 67, 2003, 64)]
    [InlineData(13, 250, 997, 33)]
    public void EpochMatchesCpuBackend(int users, int items, int ratings, int factors)
    {
        var result = KernelSelfTest.SgdEpoch(fixture.Backend, users, items, ratings, factors, seed: (ulong)(users * 31 + factors));
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }
}
