using GpuMF.Backends;
using GpuMF.Models;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

/// <summary>
/// A token cancelled from inside the first epoch (by the probe every cancellation check point calls) stops
/// that epoch part-way: the trainer throws, reports no epoch, returns no model and writes no checkpoint.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class MidEpochCancellationTests(IlgpuCpuFixture fixture)
{
    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string model in new[] { "svd", "als", "bpr", "warp" })
        {
            foreach (string backend in new[] { "cpu-1", "cpu", "ilgpu-cpu" })
            {
                cases.Add(model, backend);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CancellingInsideTheFirstEpochStopsIt(string model, string backendName)
    {
        var data = CheckpointResumeTests.Data(model);
        bool ilgpu = backendName == "ilgpu-cpu";
        using var cpu = ilgpu ? null : ComputeBackend.Create(BackendKind.Cpu, threads: backendName == "cpu-1" ? 1 : 0);
        var backend = cpu ?? fixture.Backend;
        string path = TestData.TempPath(".ckpt");
        int epochCheckPoints = 0;
        if (!ilgpu)
        {
            CheckpointResumeTests.Fit(model, backend, data, epochs: 1, probe: () => Interlocked.Increment(ref epochCheckPoints));
        }
        using var cts = new CancellationTokenSource();
        int calls = 0;
        int reports = 0;
        Assert.Throws<OperationCanceledException>(() => CheckpointResumeTests.Fit(model, backend, data, new CheckpointOptions(path, 1), cts.Token, _ => reports++, probe: () =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                cts.Cancel();
            }
        }));
        Assert.Equal(0, reports);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"));
        if (ilgpu)
        {
            // The host loop is sequential: the launch after the second check point never started.
            Assert.Equal(2, calls);
        }
        else
        {
            Assert.InRange(calls, 2, epochCheckPoints - 1);
        }
    }

    [Theory]
    [InlineData("svd")]
    [InlineData("als")]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void ACancelledResumeLeavesTheCheckpointAsItWas(string model)
    {
        var data = CheckpointResumeTests.Data(model);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        string path = TestData.TempPath(".ckpt");
        try
        {
            using (var first = new CancellationTokenSource())
            {
                Assert.Throws<OperationCanceledException>(() => CheckpointResumeTests.Fit(model, backend, data, new CheckpointOptions(path, 1), first.Token, _ => first.Cancel()));
            }
            var checkpoint = FactorModel.Load(path);
            using var cts = new CancellationTokenSource();
            int calls = 0;
            Assert.Throws<OperationCanceledException>(() => CheckpointResumeTests.Fit(model, backend, data, new CheckpointOptions(path, 1), cts.Token, resumeFrom: checkpoint, probe: () =>
            {
                if (++calls == 3)
                {
                    cts.Cancel();
                }
            }));
            var again = FactorModel.Load(path);
            Assert.Equal(1, again.CompletedEpochs);
            Assert.Equal(again.UserFactors, checkpoint.UserFactors);
            Assert.Equal(again.ItemFactors, checkpoint.ItemFactors);
            Assert.Equal(again.ItemBias, checkpoint.ItemBias);
            Assert.Equal(again.Adagrad?.Items, checkpoint.Adagrad?.Items);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
