using GpuMF.Data;

namespace GpuMF.Tests.Data.Features;

/// <summary>Inline feature descriptions for cold-start queries.</summary>
public sealed class FeatureDescriptionTests
{
    [Fact]
    public void NamesWeighOneByDefault()
    {
        var d = FeatureDescription.Parse("age=25-34, gender=F ,occupation=programmer");
        Assert.Equal([("age=25-34", 1f), ("gender=F", 1f), ("occupation=programmer", 1f)], d);
    }

    [Fact]
    public void TheLastColonBeforeANumberGivesTheWeight()
    {
        var d = FeatureDescription.Parse("genre=Comedy:0.5,url=http://x,time=12:30:1,tag:a:2e-1");
        Assert.Equal([("genre=Comedy", 0.5f), ("url=http://x", 1f), ("time=12:30", 1f), ("tag:a", 0.2f)], d);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a,,b", "Entry 2")]
    [InlineData("a, :0.5", "entry 2 (':0.5')")]
    [InlineData("a:NaN", "entry 1 ('a:NaN')")]
    [InlineData("a:-1", "entry 1 ('a:-1')")]
    [InlineData("a:Infinity", "entry 1")]
    [InlineData("a:1e39", "entry 1")]
    [InlineData("a,b,a:2", "entries 1 and 3")]
    public void BadPartsAreNamed(string text, string part)
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureDescription.Parse(text));
        Assert.Contains(part, e.Message);
    }
}
