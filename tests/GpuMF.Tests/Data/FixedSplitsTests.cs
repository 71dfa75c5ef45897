using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data;

/// <summary>
/// The fixed splits rebuilt from the raw MovieLens files equal the published ones byte for byte (their SHA-256),
/// which proves <see cref="NumpyPcg64"/> draws what NumPy's <c>default_rng</c> drew; a few direct checks pin
/// the generator itself so that a regression shows without the data.
/// </summary>
public sealed class FixedSplitsTests
{
    [Fact]
    public void RandomMatchesNumpysDefaultRng42()
    {
        // numpy.random.default_rng(42).random(3) prints array([0.77395605, 0.43887844, 0.85859792]).
        var rng = new NumpyPcg64(42);
        Assert.Equal(0.77395605, rng.NextDouble(), 8);
        Assert.Equal(0.43887844, rng.NextDouble(), 8);
        Assert.Equal(0.85859792, rng.NextDouble(), 8);
    }

    [Fact]
    public void PermutationMatchesNumpysDefaultRng42()
    {
        // numpy.random.default_rng(42).permutation(10); the same draws (32-bit halves, masked rejection) make the splits.
        Assert.Equal([5, 6, 0, 7, 3, 2, 4, 9, 1, 8], new NumpyPcg64(42).Permutation(10));
    }

    [Fact]
    public void ThirtyTwoBitDrawsAreTheLowThenTheHighHalfOfOneSixtyFourBitDraw()
    {
        var whole = new NumpyPcg64(7);
        var halves = new NumpyPcg64(7);
        for (int k = 0; k < 4; k++)
        {
            ulong draw = whole.NextUInt64();
            Assert.Equal((uint)draw, halves.NextUInt32());
            Assert.Equal((uint)(draw >> 32), halves.NextUInt32());
        }
    }

    [Fact]
    public void IntervalsAboveThirtyTwoBitsDrawSixtyFourBits()
    {
        var whole = new NumpyPcg64(3);
        var interval = new NumpyPcg64(3);
        ulong max = (1UL << 40) - 1;
        Assert.Equal(whole.NextUInt64() & max, interval.Interval(max));
        Assert.Equal(whole.NextUInt64(), interval.NextUInt64());
    }

    [Fact]
    public void SeedsPastThirtyTwoBitsUseBothWords()
    {
        Assert.NotEqual(new NumpyPcg64(1UL << 32).NextUInt64(), new NumpyPcg64(0).NextUInt64());
    }

    [Theory]
    [InlineData("ml100k_explicit")]
    [InlineData("ml100k_implicit")]
    public void RegeneratedMovieLens100KSplitsMatchTheRecordedChecksums(string split)
    {
        var files = FixedSplits.Regenerate(TestData.Root, [split]);
        Assert.Equal([$"{split}_train.tsv", $"{split}_test.tsv"], files.Select(f => f.Name));
        AssertRecorded(files);
    }

    [Fact]
    public void RegeneratedMovieLens1MSplitsMatchTheRecordedChecksums()
    {
        // One call, so that ML-1M's ratings are read once for all four splits: a second or two, cheap enough to test.
        var files = FixedSplits.Regenerate(TestData.Root, ["ml1m_explicit", "ml1m_implicit", "ml1m_colditem", "ml1m_colduser"]);
        Assert.Equal(8, files.Count);
        AssertRecorded(files);
    }

    [Fact]
    public void RecordedChecksumsAreThoseShippedWithTheSplits()
    {
        var shipped = File.ReadLines(TestData.Split("SHA256SUMS"))
            .Select(line => line.Split("  "))
            .ToDictionary(f => f[1], f => f[0], StringComparer.Ordinal);
        Assert.Equal(shipped.OrderBy(p => p.Key, StringComparer.Ordinal), FixedSplits.RecordedSha256.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void UnknownSplitNamesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => FixedSplits.Regenerate(TestData.Root, ["ml1m_random"]));
    }

    private static void AssertRecorded(IEnumerable<FixedSplitFile> files)
    {
        foreach (var file in files)
        {
            Assert.True(file.MatchesRecorded, $"{file.Name}: SHA-256 {file.Sha256}, recorded {file.RecordedSha256}");
        }
    }
}
