using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Models;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Suites;

/// <summary>
/// Every model on one backend: a run stopped after some epochs and resumed from its last checkpoint ends with
/// the parameters of an uninterrupted run, and a resume cancelled part-way leaves that checkpoint as it was.
/// The managed CPU backend repeats bit for bit at a fixed thread count, and so do the SGD kernels with one
/// warp; ALS's kernels sum the Gram matrix with atomics in no fixed order, so they repeat up to rounding.
/// </summary>
public abstract class CheckpointSuite(BackendFixture fixture)
{
    private const int Epochs = 4;
    private const int Every = 1;
    private const int StopAfter = 3;

    private ComputeBackend Backend => fixture.Backend;

    public static TheoryData<string> Models() => TrainingCases.Models();

    [BackendTheory]
    [MemberData(nameof(Models))]
    public void ResumingEqualsAnUninterruptedRun(string model)
    {
        var data = TrainingCases.Data(model, fixture);
        int factors = TrainingCases.Factors(fixture);
        string path = TestData.TempPath(".ckpt");
        try
        {
            var full = TrainingCases.Fit(model, Backend, data, epochs: Epochs, factors: factors);
            using var cts = new CancellationTokenSource();
            var done = new List<int>();
            Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, Backend, data, new CheckpointOptions(path, Every), cts.Token, epoch =>
            {
                done.Add(epoch);
                if (epoch == StopAfter)
                {
                    cts.Cancel();
                }
            }, epochs: Epochs, factors: factors));
            Assert.Equal(Enumerable.Range(1, StopAfter), done);
            var checkpoint = FactorModel.Load(path);
            Assert.Equal(StopAfter, checkpoint.CompletedEpochs);
            Assert.Equal(model is "bpr" or "warp", checkpoint.Adagrad is not null);
            done.Clear();
            var resumed = TrainingCases.Fit(model, Backend, data, afterEpoch: done.Add, resumeFrom: checkpoint, epochs: Epochs, factors: factors);
            Assert.Equal(Enumerable.Range(StopAfter + 1, Epochs - StopAfter), done);
            if (model == "als" && Backend.IsIlgpu)
            {
                Assert.True(SelfTestResult.Compare(resumed.UserFactors, full.UserFactors) < 1e-4);
                Assert.True(SelfTestResult.Compare(resumed.ItemFactors, full.ItemFactors) < 1e-4);
            }
            else
            {
                Assert.Equal(full.UserFactors, resumed.UserFactors);
                Assert.Equal(full.ItemFactors, resumed.ItemFactors);
                Assert.Equal(full.UserBias, resumed.UserBias);
                Assert.Equal(full.ItemBias, resumed.ItemBias);
            }
            Assert.Equal(0, resumed.CompletedEpochs);
            Assert.Null(resumed.Adagrad);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The resumed run is cancelled at its third check point, inside its first epoch: the checkpoint of epoch 1 stays, unchanged.</summary>
    [BackendTheory]
    [MemberData(nameof(Models))]
    public void ACancelledResumeLeavesTheCheckpointAsItWas(string model)
    {
        var data = TrainingCases.Data(model, fixture, simulatedSamples: 1100);
        int factors = TrainingCases.Factors(fixture);
        string path = TestData.TempPath(".ckpt");
        try
        {
            using (var first = new CancellationTokenSource())
            {
                Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, Backend, data, new CheckpointOptions(path, 1), first.Token, _ => first.Cancel(), factors: factors));
            }
            var checkpoint = FactorModel.Load(path);
            using var cts = new CancellationTokenSource();
            int calls = 0;
            var reported = new List<int>();
            Assert.Throws<OperationCanceledException>(() => TrainingCases.Fit(model, Backend, data, new CheckpointOptions(path, 1), cts.Token, reported.Add, checkpoint, factors: factors, probe: () =>
            {
                if (Interlocked.Increment(ref calls) == 3)
                {
                    cts.Cancel();
                }
            }));
            Assert.Empty(reported);
            var again = FactorModel.Load(path);
            Assert.Equal(1, again.CompletedEpochs);
            Assert.Equal(checkpoint.UserFactors, again.UserFactors);
            Assert.Equal(checkpoint.ItemFactors, again.ItemFactors);
            Assert.Equal(checkpoint.ItemBias, again.ItemBias);
            Assert.Equal(checkpoint.Adagrad?.Items, again.Adagrad?.Items);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class CpuCheckpointSuite(CpuFixture fixture) : CheckpointSuite(fixture), IClassFixture<CpuFixture>;

public sealed class SequentialCpuCheckpointSuite(SequentialCpuFixture fixture) : CheckpointSuite(fixture), IClassFixture<SequentialCpuFixture>;

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuCheckpointSuite(IlgpuCpuFixture fixture) : CheckpointSuite(fixture);

[Collection(CudaCollection.Name)]
public sealed class CudaCheckpointSuite(CudaFixture fixture) : CheckpointSuite(fixture);

[Collection(OpenClCollection.Name)]
public sealed class OpenClCheckpointSuite(OpenClFixture fixture) : CheckpointSuite(fixture);
