using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests.Ranking;

/// <summary>BPR and WARP trained end to end on ILGPU's CPU accelerator with the device filled (lock-free warps), on tiny data.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class PairwiseIlgpuTrainingTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData("bpr")]
    [InlineData("warp")]
    public void LearnsTheGroups(string model)
    {
        var data = PairwiseTrainerTests.TwoGroups();
        var reports = new List<EpochReport>();
        var progress = new Progress(reports.Add);
        FactorModel m = model == "bpr"
            ? new BprTrainer(new BprOptions { Factors = 8, Epochs = 15 }, fixture.Backend).Fit(data, progress: progress)
            : new WarpTrainer(new WarpOptions { Factors = 8, Epochs = 15 }, fixture.Backend).Fit(data, progress: progress);
        Assert.True(PairwiseTrainerTests.GroupAuc(m, data) > 0.95, $"group AUC {PairwiseTrainerTests.GroupAuc(m, data):F3}");
        Assert.Equal(15, reports.Count);
        Assert.All(reports, r => Assert.Equal(data.Count, r.Updates));
    }

    private sealed class Progress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
