using GpuMF.Backends;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Cancelling training on one backend, for every model: before the first epoch, between epochs, and from
/// inside an epoch (by the probe every cancellation check point calls). The trainer throws, reports no
/// unfinished epoch, returns no model and writes no checkpoint for it.
/// </summary>
public abstract class CancellationSuite(BackendFixture fixture)
{
    private ComputeBackend Backend => fixture.Backend;

    public static TheoryData<string> Models() => TrainingCases.Models();

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void AnAlreadyCancelledTokenRunsNoEpoch(string model)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int calls = 0;
        var reported = new List<int>();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TrainingCases.Fit(model, Backend, TrainingCases.Data(model, fixture), ct: cts.Token, afterEpoch: reported.Add, probe: () => calls++, factors: TrainingCases.Factors(fixture)));
        Assert.Empty(reported);
        Assert.Equal(0, calls);
    }

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void CancellingBetweenEpochsStopsAfterTheEpochReported(string model)
    {
        using var cts = new CancellationTokenSource();
        var reported = new List<int>();
        Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, Backend, TrainingCases.Data(model, fixture), ct: cts.Token, factors: TrainingCases.Factors(fixture), afterEpoch: epoch =>
        {
            reported.Add(epoch);
            if (epoch == 2)
            {
                cts.Cancel();
            }
        }));
        Assert.Equal([1, 2], reported);
    }

    /// <summary>
    /// On ML-100K, where the first epoch has many check points. The managed CPU backend's workers may each pass
    /// one more check point before they see the token; an ILGPU engine's host loop is sequential, so the
    /// launch after the second check point never starts.
    /// </summary>
    [BackendTheory]
    [MemberData(nameof(Models))]
    public void CancellingInsideTheFirstEpochStopsIt(string model)
    {
        var data = TrainingCases.MovieLens100K(model);
        string path = TestData.TempPath(".ckpt");
        int epochCheckPoints = 0;
        if (!Backend.IsIlgpu)
        {
            TrainingCases.Fit(model, Backend, data, epochs: 1, probe: () => Interlocked.Increment(ref epochCheckPoints));
        }
        using var cts = new CancellationTokenSource();
        int calls = 0;
        int reports = 0;
        Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, Backend, data, new CheckpointOptions(path, 1), cts.Token, _ => reports++, probe: () =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                cts.Cancel();
            }
        }));
        Assert.Equal(0, reports);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"));
        if (Backend.IsIlgpu)
        {
            Assert.Equal(2, calls);
        }
        else
        {
            Assert.InRange(calls, 2, epochCheckPoints - 1);
        }
    }
}

public sealed class CpuCancellationSuite(CpuFixture fixture) : CancellationSuite(fixture), IClassFixture<CpuFixture>;

public sealed class SequentialCpuCancellationSuite(SequentialCpuFixture fixture) : CancellationSuite(fixture), IClassFixture<SequentialCpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuCancellationSuite(IlgpuCpuFixture fixture) : CancellationSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaCancellationSuite(CudaFixture fixture) : CancellationSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClCancellationSuite(OpenClFixture fixture) : CancellationSuite(fixture);
