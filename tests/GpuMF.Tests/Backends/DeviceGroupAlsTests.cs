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
    private const int Users = 61;
    private const int Items = 47;
    private const int Interactions = 1900;
    private const int Factors = 8;

    [Theory]
    [InlineData(2, AlsSolver.Cholesky)]
    [InlineData(3, AlsSolver.Cholesky)]
    [InlineData(2, AlsSolver.ConjugateGradient)]
    [InlineData(3, AlsSolver.ConjugateGradient)]
    public void SeveralDevicesGiveTheInMemoryFactors(int devices, AlsSolver solver)
    {
        var group = groups.Group(devices);
        var (expected, actual) = Train(solver, one.Backend, group, iterations: 2, out var engine);
        Assert.Equal(devices, engine.Layout.Count);
        Assert.All(engine.Layout, part => Assert.True(part.Resident));
        AssertSame(expected, actual);
    }

    [Theory]
    [InlineData(AlsSolver.Cholesky)]
    [InlineData(AlsSolver.ConjugateGradient)]
    public void StreamingThroughAQuarterOfTheMemoryGivesTheInMemoryFactors(AlsSolver solver)
    {
        var device = one.Backend;
        long whole = device.MemoryBudget;
        try
        {
            var (expected, actual) = Train(solver, device, device, iterations: 2, out var engine, budgetShare: 4);
            var part = Assert.Single(engine.Layout);
            Assert.False(part.Resident);
            Assert.True(part.Users > 1 && part.Items > 1, $"{part.Users} user chunks, {part.Items} item chunks");
            AssertSame(expected, actual);
        }
        finally
        {
            device.MemoryBudget = whole;
        }
    }

    private static (AlsProblem Expected, AlsProblem Actual) Train(AlsSolver solver, ComputeBackend reference, ComputeBackend backend, int iterations, out PartitionedAlsEngine engine, int budgetShare = 1)
    {
        var options = AlsOptions.Defaults with { Factors = Factors, Solver = solver, Regularization = 0.1f, ComputeLoss = true };
        var (expected, _) = AlsKernelSelfTest.RandomProblem(Users, Items, Interactions, Factors, seed: 11, options);
        var (actual, _) = AlsKernelSelfTest.RandomProblem(Users, Items, Interactions, Factors, seed: 11, options);
        using (var memory = new IlgpuAlsEngine(reference, expected))
        {
            for (int i = 0; i < iterations; i++)
            {
                memory.Solve(AlsSide.Items);
                memory.Solve(AlsSide.Users);
            }
            memory.CopyTo(expected.UserFactors, expected.ItemFactors);
        }
        if (budgetShare > 1)
        {
            backend.MemoryBudget = IlgpuAlsEngine.Footprint(backend, actual).Bytes / budgetShare;
        }
        var made = backend.CreateEngine(new AlsEngineFactory(actual));
        engine = Assert.IsType<PartitionedAlsEngine>(made);
        using (made)
        {
            for (int i = 0; i < iterations; i++)
            {
                engine.Solve(AlsSide.Items);
                engine.Solve(AlsSide.Users);
            }
        }
        return (expected, actual);
    }

    private static void AssertSame(AlsProblem expected, AlsProblem actual)
    {
        int bitEqual = 0;
        foreach (var (e, a) in new[] { (expected.UserFactors, actual.UserFactors), (expected.ItemFactors, actual.ItemFactors) })
        {
            Assert.Equal(e.Length, a.Length);
            for (int n = 0; n < e.Length; n++)
            {
                Assert.True(Math.Abs(e[n] - a[n]) <= 1e-5 * Math.Max(1, Math.Abs(e[n])), $"factor {n}: {e[n]} in memory, {a[n]} split");
                bitEqual += e[n] == a[n] ? 1 : 0;
            }
        }
        Console.WriteLine($"bit-equal {bitEqual} of {expected.UserFactors.Length + expected.ItemFactors.Length}");
    }
}
