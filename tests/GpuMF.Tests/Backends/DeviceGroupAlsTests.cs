using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Backends;

/// <summary>Two and three ILGPU CPU accelerators opened as one backend, shared by the tests (each compiles the kernels once).</summary>
public sealed class DeviceGroupFixture : IDisposable
{
    private readonly Lazy<ComputeBackend> _two = new(() => ComputeBackend.CreateGroup(BackendKind.IlgpuCpu, [0, 1]));
    private readonly Lazy<ComputeBackend> _three = new(() => ComputeBackend.CreateGroup(BackendKind.IlgpuCpu, [0, 1, 2]));

    public ComputeBackend Group(int devices) => devices == 2 ? _two.Value : _three.Value;

    public void Dispose()
    {
        foreach (var group in new[] { _two, _three }.Where(g => g.IsValueCreated))
        {
            group.Value.Dispose();
        }
    }
}

/// <summary>
/// ALS split over several devices and streamed through a device budget smaller than the data gives the factors
/// of one device holding everything: a row's solve reads only the other side's factors, the Gram matrix and its
/// own interactions, and the same kernels solve it. The data are small random problems whose user and item
/// counts are multiples of neither 2 nor 3, with rows both shorter and longer than a conjugate-gradient segment.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class DeviceGroupAlsTests(IlgpuCpuFixture one, DeviceGroupFixture groups) : IClassFixture<DeviceGroupFixture>
{
    private const int Factors = 8;

    /// <summary>Every row shorter than a conjugate-gradient segment: no row's solve adds anything atomically.</summary>
    private static readonly Shape Short = new(61, 47, 1900);

    /// <summary>Items with more interactions than a segment, whose conjugate-gradient sums add segments atomically.</summary>
    private static readonly Shape Long = new(131, 11, 3000);

    /// <summary>
    /// Bit for bit: each row is solved by the same kernel from the same inputs in the same order, whether on
    /// one device in memory, on one of two or three devices, or in a chunk streamed through a quarter of the
    /// memory the in-memory engine needs (devices 1, budget share 4), or both at once.
    /// </summary>
    [Theory]
    [InlineData(2, 1, AlsSolver.Cholesky)]
    [InlineData(3, 1, AlsSolver.Cholesky)]
    [InlineData(2, 1, AlsSolver.ConjugateGradient)]
    [InlineData(3, 1, AlsSolver.ConjugateGradient)]
    [InlineData(1, 4, AlsSolver.Cholesky)]
    [InlineData(1, 4, AlsSolver.ConjugateGradient)]
    [InlineData(3, 4, AlsSolver.ConjugateGradient)]
    public void SplitOrStreamedRowsGiveTheInMemoryFactorsBitForBit(int devices, int budgetShare, AlsSolver solver)
    {
        var backend = devices == 1 ? one.Backend : groups.Group(devices);
        long whole = backend.MemoryBudget;
        try
        {
            var (expected, actual) = Train(Short, solver, one.Backend, backend, out var layout, out var losses, budgetShare);
            Assert.Equal(devices, layout.Count);
            Assert.All(layout, part => Assert.Equal(budgetShare == 1, part.Resident));
            if (budgetShare > 1)
            {
                Assert.Contains(layout, part => part.Users > 1 && part.Items > 1);
            }
            Assert.Equal(expected.UserFactors, actual.UserFactors);
            Assert.Equal(expected.ItemFactors, actual.ItemFactors);
            Assert.True(Math.Abs(losses.Expected - losses.Actual) <= 1e-5 * Math.Abs(losses.Expected), $"loss {losses.Expected} in memory, {losses.Actual} split");
        }
        finally
        {
            backend.MemoryBudget = whole;
        }
    }

    /// <summary>
    /// Rows split into several segments: Cholesky (no atomics) stays bit for bit; conjugate gradient adds a
    /// row's segment sums atomically, in an order that depends on which warp takes which segment, so it is
    /// compared within a relative 1e-3 (the same run-to-run freedom one device has).
    /// </summary>
    [Theory]
    [InlineData(AlsSolver.Cholesky)]
    [InlineData(AlsSolver.ConjugateGradient)]
    public void RowsLongerThanASegmentMatchOnThreeDevices(AlsSolver solver)
    {
        var (expected, actual) = Train(Long, solver, one.Backend, groups.Group(3), out _, out _);
        if (solver == AlsSolver.Cholesky)
        {
            Assert.Equal(expected.UserFactors, actual.UserFactors);
            Assert.Equal(expected.ItemFactors, actual.ItemFactors);
        }
        else
        {
            AssertClose(expected.UserFactors, actual.UserFactors, 1e-3);
            AssertClose(expected.ItemFactors, actual.ItemFactors, 1e-3);
        }
    }

    [Fact]
    public void ABudgetTooSmallForTheFactorsNamesTheLeastThatFits()
    {
        var device = one.Backend;
        long whole = device.MemoryBudget;
        var options = AlsOptions.Defaults with { Factors = Factors };
        var (problem, _) = AlsKernelSelfTest.RandomProblem(Short.Users, Short.Items, Short.Interactions, Factors, seed: 5, options);
        try
        {
            device.MemoryBudget = 4L * Short.Users * Factors;
            var e = Assert.Throws<DeviceMemoryException>(() => device.CreateEngine(new AlsEngineFactory(problem)));
            Assert.Contains("must hold the larger side's factors whole", e.Message);
            Assert.Contains($"({e.RequiredBytes} bytes) would fit", e.Message, StringComparison.Ordinal);
            Assert.Equal(device.MemoryBudget, e.DeviceBytes);
            Assert.True(e.RequiredBytes > e.DeviceBytes);
            device.MemoryBudget = e.RequiredBytes - 1;
            Assert.Throws<DeviceMemoryException>(() => device.CreateEngine(new AlsEngineFactory(problem)));
            device.MemoryBudget = e.RequiredBytes;
            using var engine = Assert.IsType<PartitionedAlsEngine>(device.CreateEngine(new AlsEngineFactory(problem)));
            Assert.False(Assert.Single(engine.Layout).Resident);
        }
        finally
        {
            device.MemoryBudget = whole;
        }
    }

    /// <summary>
    /// Devices that hold their ranges whole upload their interactions once, when the engine is made; an
    /// iteration then moves only factors: the other side whole to each device, the solved rows back (Cholesky
    /// reads no previous rows), and the Gram matrix from device 0 to the others.
    /// </summary>
    [Fact]
    public void ResidentDevicesMoveOnlyFactorsEachIteration()
    {
        const int devices = 2;
        var options = AlsOptions.Defaults with { Factors = Factors, Solver = AlsSolver.Cholesky };
        var (problem, _) = AlsKernelSelfTest.RandomProblem(Short.Users, Short.Items, Short.Interactions, Factors, seed: 3, options);
        using var engine = Assert.IsType<PartitionedAlsEngine>(groups.Group(devices).CreateEngine(new AlsEngineFactory(problem)));
        long uploaded = engine.BytesCopied;
        Assert.True(uploaded >= 2 * 8L * problem.UserItems.Length, $"{uploaded} bytes at construction");
        engine.Solve(AlsSide.Items);
        engine.Solve(AlsSide.Users);
        long rows = problem.UserCount + problem.ItemCount;
        long expected = 4L * (devices * rows * Factors + rows * Factors + 2L * devices * Factors * Factors);
        Assert.Equal(expected, engine.BytesCopied - uploaded);
    }

    [Fact]
    public void RowsSplitIntoContiguousRangesBalancedByWork()
    {
        int[] ptr = [0, 10, 10, 11, 30, 31, 32, 33];
        var ranges = PartitionedAlsEngine.Split(ptr, 3);
        Assert.Equal((0, ranges[0].End), ranges[0]);
        Assert.Equal(ranges[0].End, ranges[1].Start);
        Assert.Equal(ranges[1].End, ranges[2].Start);
        Assert.Equal(ptr.Length - 1, ranges[2].End);
        // Rows + interactions total 40: the cuts fall where the running work first reaches 40/3 (14, after row 2) and 80/3 (34, after row 3).
        Assert.Equal([(0, 3), (3, 4), (4, 7)], ranges);
        Assert.Equal([(0, 1), (1, 1)], PartitionedAlsEngine.Split([0, 5], 2));
    }

    /// <summary>Two iterations (and the loss after them) in memory on <paramref name="reference"/> and through <see cref="AlsEngineFactory"/> on <paramref name="backend"/> (whose budget is set to 1/<paramref name="budgetShare"/> of the in-memory footprint), from the same start.</summary>
    private static (AlsProblem Expected, AlsProblem Actual) Train(Shape shape, AlsSolver solver, ComputeBackend reference, ComputeBackend backend, out IReadOnlyList<(int Users, int Items, bool Resident)> layout, out (double Expected, double Actual) losses, int budgetShare = 1)
    {
        var options = AlsOptions.Defaults with { Factors = Factors, Solver = solver, Regularization = 0.1f };
        var (expected, _) = AlsKernelSelfTest.RandomProblem(shape.Users, shape.Items, shape.Interactions, Factors, seed: 11, options);
        var (actual, _) = AlsKernelSelfTest.RandomProblem(shape.Users, shape.Items, shape.Interactions, Factors, seed: 11, options);
        using (var memory = new IlgpuAlsEngine(reference, expected))
        {
            for (int i = 0; i < 2; i++)
            {
                memory.Solve(AlsSide.Items);
                memory.Solve(AlsSide.Users);
            }
            memory.CopyTo(expected.UserFactors, expected.ItemFactors);
            losses.Expected = memory.LossTerm();
        }
        if (budgetShare > 1)
        {
            backend.MemoryBudget = IlgpuAlsEngine.Footprint(backend, actual).Bytes / budgetShare;
        }
        using var engine = Assert.IsType<PartitionedAlsEngine>(backend.CreateEngine(new AlsEngineFactory(actual)));
        for (int i = 0; i < 2; i++)
        {
            engine.Solve(AlsSide.Items);
            engine.Solve(AlsSide.Users);
        }
        layout = engine.Layout;
        losses.Actual = engine.LossTerm();
        return (expected, actual);
    }

    private static void AssertClose(float[] expected, float[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int n = 0; n < expected.Length; n++)
        {
            Assert.True(Math.Abs(expected[n] - actual[n]) <= relative * Math.Max(1, Math.Abs(expected[n])), $"factor {n}: {expected[n]} in memory, {actual[n]} split");
        }
    }

    private sealed record Shape(int Users, int Items, int Interactions);
}
