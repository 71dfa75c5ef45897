using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Kernels;

[Collection(IlgpuCpuCollection.Name)]
public sealed class AlsKernelTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 19)]
    [InlineData(9, 33)]
    [InlineData(6, 64)]
    public void GramMatchesCpuBackend(int rows, int factors)
    {
        AssertPassed(AlsKernelSelfTest.Gram(fixture.Backend, rows, factors, seed: (ulong)(rows * 7 + factors)));
    }

    [Theory]
    [InlineData(5, 3, 9, 1)]
    [InlineData(11, 7, 37, 19)]
    [InlineData(7, 9, 29, 33)]
    [InlineData(5, 4, 13, 64)]
    [InlineData(301, 4, 1100, 19)]
    public void ConjugateGradientMatchesCpuBackend(int users, int items, int interactions, int factors)
    {
        AssertPassed(AlsKernelSelfTest.Solve(fixture.Backend, AlsSolver.ConjugateGradient, users, items, interactions, factors, seed: (ulong)(users + factors)));
    }

    [Fact]
    public void SegmentsCoverEveryInteractionOnceWithinTheirRow()
    {
        int length = IlgpuAlsEngine.SegmentLength;
        int[] ptr = [0, 0, 3, 3 + length, 3 + length + 1, 3 + 3 * length + 2];
        var (rows, starts) = IlgpuAlsEngine.Segments(ptr);
        Assert.Equal([1, 2, 3, 4, 4, 4], rows);
        Assert.Equal([0, 3, 3 + length, 4 + length, 4 + 2 * length, 4 + 3 * length], starts);
        for (int s = 0; s < rows.Length; s++)
        {
            int end = Math.Min(starts[s] + length, ptr[rows[s] + 1]);
            Assert.InRange(starts[s], ptr[rows[s]], end - 1);
            Assert.Equal(s + 1 < rows.Length ? starts[s + 1] : ptr[^1], end);
        }
    }

    [Theory]
    [InlineData(5, 3, 9, 1)]
    [InlineData(11, 7, 37, 19)]
    [InlineData(7, 9, 29, 33)]
    [InlineData(5, 4, 13, 64)]
    public void CholeskyInSharedMemoryMatchesFloat64(int users, int items, int interactions, int factors)
    {
        AssertPassed(AlsKernelSelfTest.Solve(fixture.Backend, AlsSolver.Cholesky, users, items, interactions, factors, seed: (ulong)(users + factors)));
    }

    [Theory]
    [InlineData(5, 3, 9, 1)]
    [InlineData(6, 5, 17, 33)]
    [InlineData(3, 2, 4, 256)]
    public void CholeskyInGlobalMemoryMatchesFloat64(int users, int items, int interactions, int factors)
    {
        AssertPassed(AlsKernelSelfTest.Solve(fixture.Backend, AlsSolver.Cholesky, users, items, interactions, factors, seed: (ulong)(users + factors + 1), globalMemory: true));
    }

    [Theory]
    [InlineData(5, 3, 9, 1)]
    [InlineData(9, 7, 31, 33)]
    public void LossMatchesCpuBackend(int users, int items, int interactions, int factors)
    {
        AssertPassed(AlsKernelSelfTest.Loss(fixture.Backend, users, items, interactions, factors, seed: (ulong)(users * 3 + factors)));
    }

    [Theory]
    [InlineData(AlsSolver.ConjugateGradient)]
    [InlineData(AlsSolver.Cholesky)]
    public void TrainerOnIlgpuMatchesCpuBackend(AlsSolver solver)
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 9, items: 6, interactions: 25, factors: 5, seed: 3, AlsOptions.Defaults);
        var options = new AlsOptions { Factors = 5, Iterations = 2, Solver = solver, ComputeLoss = true };
        var losses = new List<double>();
        var device = new AlsTrainer(options, fixture.Backend).Fit(matrix, new Progress(losses));
        var cpu = new AlsTrainer(options, ComputeBackend.Create(BackendKind.Cpu, threads: 1)).Fit(matrix);
        Assert.True(SelfTestResult.Compare(device.UserFactors, cpu.UserFactors) < 1e-4);
        Assert.True(SelfTestResult.Compare(device.ItemFactors, cpu.ItemFactors) < 1e-4);
        Assert.Equal(2, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0));
    }

    private static void AssertPassed(SelfTestResult result) =>
        Assert.True(result.Passed, $"{result.Kernel} {result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");

    private sealed class Progress(List<double> losses) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => losses.Add(value.TrainLoss);
    }
}
