using GpuMF.Tests.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>Outputs are checked before any work: their folder exists and takes files, a file output is no folder, no output is an input or another output.</summary>
public sealed class OutputCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-out-").FullName;
    private readonly string _data;

    public OutputCheckTests()
    {
        _data = Path.Combine(_dir, "ratings.tsv");
        File.Copy(TestData.Split("ml100k_explicit_train.tsv"), _data);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> TrainOutputs() => new()
    {
        { "/nonexistent/dir/m.gpumf", "gpumf: --out /nonexistent/dir/m.gpumf: the folder /nonexistent/dir does not exist." },
        { "{dir}", "gpumf: --out {dir} is a directory; give a file name in it." },
        { "{dir}/./ratings.tsv", "gpumf: --out {dir}/./ratings.tsv would overwrite --data {dir}/ratings.tsv, which the command reads: give the output another name." },
        { "/proc/gpumf-test.gpumf", "gpumf: --out /proc/gpumf-test.gpumf: cannot create a file in /proc (no write permission, or a read-only file system)." },
    };

    /// <summary>Fails at once (the data is never read, so no "interactions" line), naming the path; the data is untouched.</summary>
    [Theory]
    [MemberData(nameof(TrainOutputs))]
    public void TrainRefusesAnOutputItCannotWrite(string output, string message)
    {
        if (output.StartsWith("/proc", StringComparison.Ordinal) && !OperatingSystem.IsLinux())
        {
            return;
        }
        var before = File.ReadAllBytes(_data);
        var r = CliRunner.Run("train", "--model", "svd", "--data", _data, "--out", output.Replace("{dir}", _dir, StringComparison.Ordinal), "--backend", "cpu");
        Assert.Equal(2, r.Code);
        Assert.Equal(message.Replace("{dir}", _dir, StringComparison.Ordinal), r.Err.TrimEnd('\n'));
        Assert.DoesNotContain("interactions", r.Err);
        Assert.Equal(before, File.ReadAllBytes(_data));
        Assert.Equal(["ratings.tsv"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("a.tsv", "a.tsv", "gpumf: --test-out {dir}/a.tsv is also --train-out: give each output its own file.")]
    [InlineData("ratings.tsv", "b.tsv", "gpumf: --train-out {dir}/ratings.tsv would overwrite --data {dir}/ratings.tsv, which the command reads: give the output another name.")]
    [InlineData("a.tsv", "ratings.tsv", "gpumf: --test-out {dir}/ratings.tsv would overwrite --data {dir}/ratings.tsv, which the command reads: give the output another name.")]
    public void SplitRefusesAnOutputThatIsAnInputOrTheOtherOutput(string train, string test, string message)
    {
        var before = File.ReadAllBytes(_data);
        var r = CliRunner.Run("split", "--data", _data, "--train-out", Path.Combine(_dir, train), "--test-out", Path.Combine(_dir, test));
        Assert.Equal(2, r.Code);
        Assert.Equal(message.Replace("{dir}", _dir, StringComparison.Ordinal), r.Err.TrimEnd('\n'));
        Assert.Equal(before, File.ReadAllBytes(_data));
        Assert.Equal(["ratings.tsv"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void ALinkToTheDataIsTheData()
    {
        string link = Path.Combine(_dir, "link.tsv");
        File.CreateSymbolicLink(link, _data);
        var r = CliRunner.Run("train", "--model", "svd", "--data", _data, "--out", link);
        Assert.Equal(2, r.Code);
        Assert.Contains("would overwrite --data", r.Err);
    }

    [Fact]
    public void ScoreRefusesToWriteOverItsModel()
    {
        string model = Path.Combine(_dir, "m.csv");
        ModelFileTests.FixtureModel().Save(model);
        var before = File.ReadAllBytes(model);
        var r = CliRunner.Run("score", "--model", model, "--out", model);
        Assert.Equal(2, r.Code);
        Assert.Contains($"--out {model} would overwrite --model {model}", r.Err);
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void ExportRefusesAFileAsItsFolder()
    {
        var r = CliRunner.Run("export", "--model", "m.gpumf", "--out", _data);
        Assert.Equal(2, r.Code);
        Assert.Equal($"gpumf: --out {_data} is not a folder; give a folder to write the files in (made if missing).", r.Err.TrimEnd('\n'));
    }

    [Fact]
    public void AFolderAsDataOrModelIsNamedAsOne()
    {
        var data = CliRunner.Run("train", "--model", "als", "--data", _dir, "--format", "tsv", "--out", Path.Combine(_dir, "m.gpumf"));
        Assert.Equal(1, data.Code);
        Assert.Equal($"gpumf: {_dir}: is a directory, not a data file.", data.Err.TrimEnd('\n'));
        var model = CliRunner.Run("recommend", "--model", _dir, "--user", "1");
        Assert.Equal(1, model.Code);
        Assert.Contains($"'{_dir}': is a directory, not a regular file", model.Err);
    }
}
