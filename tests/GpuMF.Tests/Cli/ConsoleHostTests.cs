using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

public sealed class ConsoleHostTests
{
    [Fact]
    public void TrainRecommendSimilarOnMovieLens100K()
    {
        string model = TestData.TempPath(".gpumf");
        try
        {
            var train = CliRunner.Run("train", "--model", "svd", "--data", TestData.Split("ml100k_explicit_train.tsv"), "--out", model, "--backend", "cpu", "--epochs", "5");
            Assert.True(train.Code == 0, train.Err);
            Assert.True(File.Exists(model));
            Assert.Equal(ModelKind.Svd, FactorModel.Load(model).Kind);
            var movies = Path.Combine(TestData.Root, "ml-100k", "u.item");
            var rec = CliRunner.Run("recommend", "--model", model, "--user", "196", "--n", "5", "--movies", movies);
            Assert.True(rec.Code == 0, rec.Err);
            Assert.Equal(5, rec.Out.Split('\n').Count(l => l.Length > 0 && char.IsDigit(l[0])));
            var sim = CliRunner.Run("similar", "--model", model, "--item", "1", "--n", "3", "--movies", movies);
            Assert.True(sim.Code == 0, sim.Err);
            Assert.Contains("Toy Story", sim.Out);
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void EvaluateJsonCarriesMetricsAndOptions()
    {
        var r = CliRunner.Run("evaluate", "--model", "svd", "--train", TestData.Split("ml100k_explicit_train.tsv"), "--test", TestData.Split("ml100k_explicit_test.tsv"), "--json", "--backend", "cpu", "--epochs", "10", "--factors", "16");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("svd", root.GetProperty("model").GetString());
        Assert.Equal("cpu", root.GetProperty("backend").GetString());
        Assert.Equal(16, root.GetProperty("options").GetProperty("factors").GetInt32());
        Assert.InRange(root.GetProperty("rmse").GetDouble(), 0.85, 1.0);
        Assert.True(root.GetProperty("train_seconds").GetDouble() > 0);
    }

    [Theory]
    [InlineData(new[] { "train", "--model", "svd", "--data", "missing.tsv", "--out", "x.gpumf" }, 1, "missing.tsv")]
    [InlineData(new[] { "train", "--model", "nope", "--data", "a.tsv", "--out", "x.gpumf" }, 2, "unknown model 'nope'")]
    [InlineData(new[] { "recommend", "--model", "x.gpumf" }, 2, "needs one of --user")]
    [InlineData(new[] { "frobnicate" }, 2, "unknown command")]
    [InlineData(new[] { "devices", "--colour", "red" }, 2, "unknown option for 'devices': --colour")]
    [InlineData(new[] { "selftest", "--backend", "cuda" }, 1, "no CUDA device is present")]
    [InlineData(new[] { "selftest", "--backend", "cpu" }, 2, "selftest checks ILGPU kernels")]
    [InlineData(new[] { "selftest", "--backend", "ilgpu-cpu", "--factors", "8" }, 2, "unknown option for 'selftest': --factors")]
    public void ErrorsAreOneLineOnStderrWithoutAStackTrace(string[] args, int code, string fragment)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(code, r.Code);
        Assert.Contains(fragment, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Equal(string.Empty, r.Out);
    }

    [Fact]
    public void MalformedDataNamesTheFileAndLine()
    {
        string data = TestData.TempPath(".tsv");
        File.WriteAllText(data, "1\t2\t3\n1\tx\t4\n");
        try
        {
            var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", data + ".gpumf");
            Assert.Equal(1, r.Code);
            Assert.Contains($"{data}:2: field 2 (item id) 'x' is not an integer", r.Err);
            Assert.False(File.Exists(data + ".gpumf"));
        }
        finally
        {
            File.Delete(data);
        }
    }

    [Theory]
    [InlineData("diverges", "Training diverged at epoch")]
    [InlineData("malformed", ":3: field 3 (value) 'x' is not a number")]
    public void AFailedTrainingKeepsTheExistingModelFile(string failure, string fragment)
    {
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string output = Path.Combine(dir, "model.gpumf");
            GpuMF.Tests.Persistence.ModelFileTests.FixtureModel().Save(output);
            var before = File.ReadAllBytes(output);
            string data = TestData.Split("ml100k_explicit_train.tsv");
            if (failure == "malformed")
            {
                data = Path.Combine(dir, "bad.tsv");
                File.WriteAllText(data, "1\t2\t3\n2\t3\t4\n3\t4\tx\n");
            }
            var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", output, "--backend", "cpu",
                "--lr", "1", "--lr-decay", "1", "--reg", "0", "--epochs", "50", "--checkpoint-every", "100");
            Assert.Equal(1, r.Code);
            Assert.Contains(fragment, r.Err);
            Assert.Equal(before, File.ReadAllBytes(output));
            Assert.Equal(["model.gpumf"], Directory.GetFiles(dir, "model*").Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The whole self-test, where a GPU makes it take seconds: every check passes and the command says so. On
    /// ILGPU's CPU accelerator it takes over a minute, so there the plumbing is checked by the usage errors
    /// above, and the kernel comparisons it makes by the kernel tests (Kernels/, Scoring/TopNKernelTests,
    /// Ranking/PairwiseKernelTests), which compare every kernel it runs with the CPU backend.
    /// </summary>
    [DeviceFact(BackendKind.Cuda)]
    public void SelfTestPassesOnCuda() => AssertSelfTestPasses("cuda");

    [DeviceFact(BackendKind.OpenCL)]
    public void SelfTestPassesOnOpenCL() => AssertSelfTestPasses("opencl");

    private static void AssertSelfTestPasses(string backend)
    {
        var r = CliRunner.Run("selftest", "--backend", backend);
        Assert.True(r.Code == 0, r.Out + r.Err);
        foreach (string kernel in new[] { "sgd-epoch", "als-gram", "als-cg", "als-cholesky", "als-loss", "top-n", "bpr-epoch", "warp-epoch" })
        {
            Assert.Contains(kernel, r.Out);
        }
        Assert.Contains(" 0 failed", r.Out);
    }

    [Fact]
    public void DevicesListsTheCpuBackends()
    {
        var r = CliRunner.Run("devices");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains(r.Out.Split('\n'), l => l.StartsWith("cpu ", StringComparison.Ordinal));
        // The CPU accelerator reports 2^63 bytes of its own; it uses the host's memory.
        Assert.Contains(r.Out.Split('\n'), l => l.StartsWith("ilgpu-cpu ", StringComparison.Ordinal) && l.Contains("host memory", StringComparison.Ordinal));
        Assert.DoesNotContain("8796093022207", r.Out);
        Assert.Contains("auto picks: cpu (", r.Out);
    }

    [Theory]
    [InlineData("svd", "netflix-like")]
    [InlineData("als", "ml20m-like")]
    [InlineData("bpr", "ml20m-like")]
    [InlineData("warp", "ml20m-like")]
    [InlineData("recommend", "ml20m-like")]
    public void BenchPrintsOneJsonLine(string model, string preset)
    {
        var r = CliRunner.Run("bench", "--model", model, "--preset", preset, "--scale", "0.002", "--epochs", "2", "--backend", "cpu");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(model, doc.RootElement.GetProperty("bench").GetString());
        Assert.True(doc.RootElement.GetProperty("ratings").GetInt64() > 1000);
        // RecommendAll is timed per call, in users per second: it has no epochs and makes no updates.
        string unit = model == "recommend" ? "call" : "epoch";
        Assert.True(doc.RootElement.GetProperty($"steady_{unit}_seconds").GetDouble() > 0);
        Assert.Equal(model == "recommend", !doc.RootElement.TryGetProperty("updates_per_second", out _) && !doc.RootElement.TryGetProperty("epochs", out _));
        Assert.Equal(model == "recommend", doc.RootElement.TryGetProperty("users_per_second", out _));
        Assert.True(doc.RootElement.GetProperty("peak_host_mib").GetDouble() > 0);
    }

    [Fact]
    public void BenchReportsEachBackendAndFailsForAnAbsentOne()
    {
        // OpenCL stands in for a backend this machine lacks only where no OpenCL device exists.
        bool openClPresent = ComputeBackend.ListDevices().Any(d => d.Backend == BackendKind.OpenCL);
        string absent = openClPresent ? "cuda" : "opencl";
        var r = CliRunner.Run("bench", "--model", "bpr", "--scale", "0.001", "--epochs", "2", "--backend", $"cpu,{absent}");
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var cpu = JsonDocument.Parse(lines[0]);
        using var missing = JsonDocument.Parse(lines[1]);
        Assert.True(cpu.RootElement.GetProperty("updates_per_second").GetDouble() > 0);
        Assert.Contains(absent, missing.RootElement.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, r.Code);
    }
}
