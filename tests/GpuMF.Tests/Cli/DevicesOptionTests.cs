using System.Globalization;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary><c>--devices</c>: ALS, SVD, BPR and WARP train on several devices; features and every other command refuse them rather than run on one.</summary>
public sealed class DevicesOptionTests
{
    [Fact]
    public void AlsTrainsOnTwoSimulatedDevices()
    {
        string data = TestData.TempPath(".tsv");
        string model = TestData.TempPath(".gpumf");
        try
        {
            var lines = new List<string>();
            for (int u = 1; u <= 31; u++)
            {
                for (int i = u % 4 + 1; i <= 23; i += 4)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{u}\t{i}\t{1 + (u + i) % 3}"));
                }
            }
            File.WriteAllLines(data, lines);
            var r = CliRunner.Run("train", "-m", "als", "-d", data, "-o", model, "-b", "ilgpu-cpu", "--devices", "0,1", "--iterations", "2", "--factors", "4");
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains("2 devices", r.Err);
            var trained = FactorModel.Load(model);
            Assert.Equal(31, trained.Users.Count);
            Assert.All(trained.UserFactors, f => Assert.True(float.IsFinite(f)));
            Assert.Contains(trained.UserFactors, f => f != 0);
        }
        finally
        {
            File.Delete(data);
            File.Delete(model);
        }
    }

    [Theory]
    [InlineData("svd")]
    [InlineData("warp")]
    public void SgdModelsTrainOnTwoSimulatedDevices(string family)
    {
        string model = TestData.TempPath(".gpumf");
        try
        {
            var data = TestData.Split(family == "svd" ? "ml100k_explicit_train.tsv" : "ml100k_implicit_train.tsv");
            var r = CliRunner.Run("train", "-m", family, "-d", data, "-o", model, "-b", "ilgpu-cpu", "--devices", "0,1", "--epochs", "1", "--factors", "4");
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains("2 devices", r.Err);
            var trained = FactorModel.Load(model);
            Assert.All(trained.ItemFactors, f => Assert.True(float.IsFinite(f)));
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void EvaluateTrainsBprOnTwoSimulatedDevices()
    {
        var r = CliRunner.Run("evaluate", "-m", "bpr", "--train", TestData.Split("ml100k_implicit_train.tsv"), "--test", TestData.Split("ml100k_implicit_test.tsv"), "-b", "ilgpu-cpu", "--devices", "0,1", "--epochs", "1", "--factors", "4", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("\"device\":\"2 devices:", r.Out, StringComparison.Ordinal);
        Assert.Contains("\"precision@10\":0.", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherCommandsGivenSeveralDevicesAreAUsageError()
    {
        var r = CliRunner.Run("selftest", "-b", "ilgpu-cpu", "--devices", "0,1");
        Assert.Equal(2, r.Code);
        Assert.Contains("--devices with several devices is for training als, svd, bpr or warp (train or evaluate --model M); this command runs on one device (--device N).", r.Err);
    }

    [Fact]
    public void FeaturesGivenSeveralDevicesAreAUsageError()
    {
        string features = TestData.TempPath(".tsv");
        string model = TestData.TempPath(".gpumf");
        try
        {
            File.WriteAllLines(features, ["1\tdrama", "2\tcomedy"]);
            var r = CliRunner.Run("train", "-m", "bpr", "-d", TestData.Split("ml100k_implicit_train.tsv"), "-o", model, "-b", "ilgpu-cpu", "--devices", "0,1", "--item-features", features);
            Assert.Equal(2, r.Code);
            Assert.Contains("bpr and warp with features train on one device (--device N)", r.Err);
            Assert.False(File.Exists(model));
        }
        finally
        {
            File.Delete(features);
        }
    }

    [Theory]
    [InlineData("0,0")]
    [InlineData("1,x")]
    [InlineData("-1")]
    public void BadDeviceListsAreAUsageError(string devices)
    {
        var r = CliRunner.Run("train", "-m", "als", "-d", TestData.Split("ml100k_implicit_train.tsv"), "-o", TestData.TempPath(".gpumf"), "-b", "ilgpu-cpu", "--devices", devices);
        Assert.Equal(2, r.Code);
        Assert.Contains($"--devices must be distinct device indices ≥ 0, comma-separated (0,1), or all; got '{devices}'.", r.Err);
    }
}
