using GpuMF.Conformance;
using GpuMF.Kernels.Sampling;
using GpuMF.Models;
using GpuMF.Tests.Scoring;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Kernels;

/// <summary>
/// The pair-scoring kernel on ILGPU's CPU accelerator against the managed reference: random models and pairs whose
/// counts and factor counts are not multiples of the warp or group size, in launches cut into uneven chunks.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class PairScoreKernelTests(IlgpuCpuFixture fixture)
{
    [Theory]
    [InlineData(3, 5, 1, 1, 1, true)]
    [InlineData(7, 13, 3, 37, 37, false)]
    [InlineData(11, 29, 19, 203, 50, true)]
    [InlineData(5, 41, 33, 97, 1000, true)]
    [InlineData(9, 17, 70, 61, 7, false)]
    public void ScoresMatchTheManagedReference(int users, int items, int factors, int pairs, int chunk, bool bias)
    {
        var model = RandomModels.Create(users, items, factors, seed: (ulong)(users * 31 + factors), bias: bias);
        var rng = new XorShiftRandom((ulong)pairs, 5);
        var u = Enumerable.Range(0, pairs).Select(_ => rng.NextInt(users)).ToArray();
        var i = Enumerable.Range(0, pairs).Select(_ => rng.NextInt(items)).ToArray();
        var scores = new float[pairs];
        using (var scorer = new IlgpuPairScorer(fixture.Backend, model, chunk))
        {
            scorer.Score(u, i, scores);
        }
        for (int p = 0; p < pairs; p++)
        {
            double exact = model.ItemBias?[i[p]] ?? 0;
            double magnitude = Math.Abs(exact);
            for (int f = 0; f < factors; f++)
            {
                double product = (double)model.UserFactors[u[p] * factors + f] * model.ItemFactors[i[p] * factors + f];
                exact += product;
                magnitude += Math.Abs(product);
            }
            Assert.True(Math.Abs(scores[p] - exact) <= 1e-6 * (magnitude + 1) * factors, $"pair {p} ({u[p]}, {i[p]}): {scores[p]} on the device, {exact} exactly");
        }
    }

    /// <summary>The check <c>gpumf selftest</c> runs on devices passes on the CPU accelerator, launches cut short or not.</summary>
    [Theory]
    [InlineData(37, 301, 19, 1003, 97, false)]
    [InlineData(29, 67, 64, 777, 1 << 20, true)]
    [InlineData(3, 2, 1, 5, 2, true)]
    public void SelfTestPasses(int users, int items, int factors, int pairs, int chunk, bool integral)
    {
        var result = CandidateSelfTest.Check(fixture.Backend, users, items, factors, pairs, seed: (ulong)pairs, integral, chunk);
        Assert.True(result.Passed, $"{result.Case}: error {result.MaxError}");
    }

    /// <summary>With integer factors every score is exact on both sides, so the device's lists equal the CPU's, ties and all.</summary>
    [Theory]
    [InlineData(13, 23, 5, 3)]
    [InlineData(6, 31, 17, 1)]
    public void RankedListsEqualTheCpuBackendsWithIntegerFactors(int users, int items, int factors, int seed)
    {
        var model = RandomModels.Create(users, items, factors, seed: (ulong)seed, integral: true);
        var rng = new XorShiftRandom((ulong)seed, 9);
        var lengths = Enumerable.Range(0, users + 2).Select(l => rng.NextInt(2 * items)).ToArray();
        var listUsers = Enumerable.Range(0, lengths.Length).Select(l => l % users).ToArray();
        var offsets = new int[lengths.Length + 1];
        for (int l = 0; l < lengths.Length; l++)
        {
            offsets[l + 1] = offsets[l] + lengths[l];
        }
        var candidates = Enumerable.Range(0, offsets[^1]).Select(_ => rng.NextInt(items)).ToArray();
        using var device = CandidateScorer.Create(model, fixture.Backend, filterSeen: true);
        using var cpu = CandidateScorer.Create(model, null, filterSeen: true);
        Assert.True(device.OnDevice);
        var expected = cpu.Rank(listUsers, offsets, candidates);
        var actual = device.Rank(listUsers, offsets, candidates);
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Duplicates > 0, "the lists should repeat some items");
        Assert.Equal(expected.Duplicates, actual.Duplicates);
        Assert.Equal(expected.SeenLeftOut, actual.SeenLeftOut);
        for (int l = 0; l < expected.Count; l++)
        {
            Assert.Equal(expected.Items(l).ToArray(), actual.Items(l).ToArray());
            Assert.Equal(expected.Scores(l).ToArray(), actual.Scores(l).ToArray());
        }
    }
}
