using System.Globalization;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Svd;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Backends;

/// <summary>
/// Jobs larger than the device's memory fail before any upload with a <see cref="DeviceMemoryException"/>
/// whose message names both sizes and what to do; the CPU accelerator stands in for a small device.
/// </summary>
public sealed class DeviceMemoryTests
{
    private const long Budget = 1 << 19;

    private static ComputeBackend SmallDevice(long budget = Budget)
    {
        var backend = ComputeBackend.Create(BackendKind.IlgpuCpu);
        backend.MemoryBudget = budget;
        return backend;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// SGD training larger than the device streams cells of a finer grid through it; only a budget below even the
    /// finest grid's largest cell fails, naming the cell's size, the budget that would fit and what to do.
    /// </summary>
    [Theory]
    [InlineData("svd")]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void TrainingTooLargeForTheDeviceNamesBothSizesAndWhatToDo(string model)
    {
        var data = TrainingCases.MovieLens100K(model);
        using var device = SmallDevice(64);
        var e = Assert.Throws<DeviceMemoryException>(() => TrainingCases.Fit(model, device, data, epochs: 1));
        Assert.InRange(e.RequiredBytes, 65, 4096);
        Assert.Equal(64, e.DeviceBytes);
        Assert.Contains($"{model.ToUpperInvariant()} training streams its (user block × item block) cells through the 64 bytes of", e.Message);
        Assert.Contains($"needs {e.RequiredBytes} bytes: a budget of {e.RequiredBytes} bytes would fit", e.Message);
        Assert.Contains("fewer factors (--factors)", e.Message);
        Assert.Contains("cpu backend (--backend cpu)", e.Message);
        Assert.IsAssignableFrom<BackendUnavailableException>(e);
    }

    [Fact]
    public void TheCheckLetsThroughExactlyWhatFits()
    {
        var table = new RatingTable();
        for (int u = 0; u < 20; u++)
        {
            for (int i = u % 3; i < 15; i += 3)
            {
                table.Add(u, i, 1 + (u + i) % 5);
            }
        }
        var data = InteractionMatrix.Build(table);
        var options = SvdOptions.Defaults with { Factors = 8, Epochs = 1 };
        long needed;
        using (var probe = SmallDevice(1))
        {
            needed = Assert.Throws<DeviceMemoryException>(() => new SvdTrainer(options, probe).Fit(data)).RequiredBytes;
        }
        using (var tooSmall = SmallDevice(needed - 1))
        {
            Assert.Throws<DeviceMemoryException>(() => new SvdTrainer(options, tooSmall).Fit(data));
        }
        using var enough = SmallDevice(needed);
        Assert.Equal(data.UserCount, new SvdTrainer(options, enough).Fit(data).Users.Count);
    }

    [Fact]
    public void BatchScoringTooLargeForTheDeviceSaysSo()
    {
        var model = Support.TestModels.Random(300, 400, 16, seed: 3, kind: ModelKind.Als);
        using var device = SmallDevice();
        var e = Assert.Throws<DeviceMemoryException>(() => model.RecommendAll(n: 10, backend: device));
        Assert.Contains($"Batch scoring needs {Mib(e.RequiredBytes)} MiB of device memory", e.Message);
        Assert.Contains("has 0.5 MiB", e.Message);
        Assert.Contains("smaller N (--n)", e.Message);
        Assert.True(e.RequiredBytes > 4L * (300 + 400) * 16);
    }

    [Fact]
    public void ABufferLargerThanTheDeviceIsRefusedWithItsSize()
    {
        using var device = SmallDevice();
        var e = Assert.Throws<DeviceMemoryException>(() => device.Allocate<float>(1 << 20, "a test buffer"));
        Assert.Equal(4L << 20, e.RequiredBytes);
        Assert.Contains("could not allocate 4.0 MiB for a test buffer (0.5 MiB on the device", e.Message);
    }
}
