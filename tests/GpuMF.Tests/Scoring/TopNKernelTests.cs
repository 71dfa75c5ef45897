using GpuMF.Conformance;
using GpuMF.Models;
using GpuMF.Tests.Support;
using GpuMF.TopN;

namespace GpuMF.Tests.Scoring;

/// <summary>The top-N kernels on ILGPU's CPU accelerator against the managed CPU path.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class TopNKernelTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData(5, 3, 1, 1, false, true, false, 0, 0)]
    [InlineData(7, 47, 19, 10, true, true, false, 0, 0)]
    [InlineData(13, 101, 33, 7, true, true, false, 17, 5)]
    [InlineData(9, 50, 64, 60, true, true, false, 0, 0)]
    [InlineData(6, 37, 64, 1000, false, false, false, 0, 4)]
    [InlineData(11, 11, 19, 4, false, false, true, 0, 0)]
    [InlineData(17, 17, 5, 3, true, true, true, 6, 0)]
    [InlineData(9, 47, 7, 25, true, true, false, 6, 0)]
    public void MatchesCpuBackend(int queries, int candidates, int factors, int n, bool integral, bool filters, bool similarity, int tileItems, int maxRows)
    {
        var result = TopNSelfTest.Check(fixture.Backend, queries, candidates, factors, n, seed: (ulong)(queries * 31 + factors), integral, filters, similarity, tileItems, maxRows);
        Assert.True(result.Passed, $"{result.Case}: max error {result.MaxError:E2} > {result.Tolerance:E0}");
    }

    [Fact]
    public void TimingTheStagesChangesNoList()
    {
        var model = RandomModels.Create(23, 61, 9, seed: 8, integral: true);
        var problem = TopNProblems.Recommendations(model, filterSeen: true, allowed: null);
        int[] rows = Enumerable.Range(0, 23).ToArray();
        var plain = new TopNBuffer(23, 6);
        var timed = new TopNBuffer(23, 6);
        var stages = new StageSeconds();
        using (var engine = new IlgpuTopNEngine(fixture.Backend, problem, tileItems: 17, maxRows: 10))
        {
            engine.Run(rows, plain);
        }
        using (var engine = new IlgpuTopNEngine(fixture.Backend, problem, tileItems: 17, maxRows: 10) { Stages = stages })
        {
            engine.Run(rows, timed);
        }
        Assert.Equal(plain.Indices, timed.Indices);
        Assert.Equal(plain.Counts, timed.Counts);
        Assert.True(stages.Score > 0 && stages.Select > 0 && stages.Other > 0);
    }
}
