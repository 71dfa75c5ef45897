using System.Diagnostics;
using System.Text.Json;
using GpuMF.Models;
using GpuMF.Tests.Cli;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Mpi;

/// <summary>
/// <c>gpumf train --model als</c> as a 2- and 3-rank Open MPI job on this machine against the single-process model,
/// and the ways a job goes wrong: a rank killed mid-training, ranks given different options, a model that does not
/// train across ranks, the MPI library missing.
/// </summary>
public sealed class MpiTrainTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-mpi-").FullName;

    private static string Train => TestData.Split("ml100k_implicit_train.tsv");

    private static string Test => TestData.Split("ml100k_implicit_test.tsv");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Each row is solved as in one process and the Gram matrix is computed from identical full factors, so the
    /// factors are bit-equal (stronger than the 1e-5 relative the design promises) and P@10 is identical.
    /// </summary>
    [Theory]
    [InlineData(2, "cg")]
    [InlineData(3, "cholesky")]
    public void RanksTrainTheSingleProcessModel(int ranks, string solver)
    {
        string[] options = ["--data", Train, "--backend", "cpu", "--factors", "8", "--iterations", "3", "--solver", solver, "--json"];
        string single = Path.Combine(_folder, "single.gpumf"), shared = Path.Combine(_folder, $"ranks{ranks}.gpumf");
        var alone = CliRunner.Run(["train", "--model", "als", "--out", single, .. options]);
        Assert.True(alone.Code == 0, alone.Err);
        var (code, output, error) = MpiRunner.Run(ranks, ["train", "--model", "als", "--out", shared, .. options]);
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using (var json = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(ranks, json.RootElement.GetProperty("ranks").GetInt32());
        }
        using (var json = JsonDocument.Parse(alone.Out))
        {
            Assert.False(json.RootElement.TryGetProperty("ranks", out _));
        }
        Assert.Single(error.Split('\n'), l => l.StartsWith("trained in", StringComparison.Ordinal));
        var expected = FactorModel.Load(single);
        var actual = FactorModel.Load(shared);
        Assert.Equal(expected.UserFactors, actual.UserFactors);
        Assert.Equal(expected.ItemFactors, actual.ItemFactors);
        Assert.Equal(Math.Round(PrecisionAt10(single), 4), Math.Round(PrecisionAt10(shared), 4));
        Assert.InRange(PrecisionAt10(shared), 0.05, 0.6);
    }

    /// <summary>
    /// SVD by stratified SGD: every rank ends with the same model (rank 0 writes it), and its test RMSE is within
    /// 0.005 of one process's, the bound (the visiting order differs, so the factors do).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RanksTrainSvdByStratifiedSgdAsWellAsOneProcess(int ranks)
    {
        string train = TestData.Split("ml100k_explicit_train.tsv"), test = TestData.Split("ml100k_explicit_test.tsv");
        string[] options = ["--data", train, "--backend", "cpu", "--factors", "16", "--epochs", "15", "--json"];
        string single = Path.Combine(_folder, "svd1.gpumf"), shared = Path.Combine(_folder, $"svd{ranks}.gpumf");
        var alone = CliRunner.Run(["train", "--model", "svd", "--out", single, .. options]);
        Assert.True(alone.Code == 0, alone.Err);
        var (code, output, error) = MpiRunner.Run(ranks, ["train", "--model", "svd", "--out", shared, .. options]);
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()))
        {
            Assert.Equal(ranks, json.RootElement.GetProperty("ranks").GetInt32());
        }
        double Rmse(string model)
        {
            var (c, o, e) = CliRunner.Run("evaluate", "--model-file", model, "--test", test, "--json");
            Assert.True(c == 0, e);
            using var json = JsonDocument.Parse(o);
            return json.RootElement.GetProperty("rmse").GetDouble();
        }
        double one = Rmse(single), many = Rmse(shared);
        Assert.InRange(many, one - 0.005, one + 0.005);
        Assert.InRange(many, 0.85, 1.0);
        Assert.NotEqual(FactorModel.Load(single).ItemFactors, FactorModel.Load(shared).ItemFactors);
    }

    /// <summary>
    /// BPR and WARP by stratified SGD, negatives from each cell's item block: every rank ends with the same model and
    /// its P@10 is within 0.01 of one process's, the bound.
    /// </summary>
    [Theory]
    [InlineData("bpr", 2)]
    [InlineData("warp", 3)]
    public void RanksTrainBprAndWarpByStratifiedSgdAsWellAsOneProcess(string model, int ranks)
    {
        string[] options = ["--data", Train, "--backend", "cpu", "--factors", "32", "--json"];
        string single = Path.Combine(_folder, $"{model}1.gpumf"), shared = Path.Combine(_folder, $"{model}{ranks}.gpumf");
        var alone = CliRunner.Run(["train", "--model", model, "--out", single, .. options]);
        Assert.True(alone.Code == 0, alone.Err);
        var (code, output, error) = MpiRunner.Run(ranks, ["train", "--model", model, "--out", shared, .. options]);
        Assert.True(code == 0, error);
        using (var json = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()))
        {
            Assert.Equal(ranks, json.RootElement.GetProperty("ranks").GetInt32());
        }
        double one = PrecisionAt10(single), many = PrecisionAt10(shared);
        Assert.InRange(many, one - 0.01, one + 0.01);
        Assert.InRange(many, 0.2, 0.6);
    }

    [Fact]
    public void FeaturesAreRefusedUnderMpirun()
    {
        var (code, output, error) = MpiRunner.Run(2, "train", "--model", "warp", "--backend", "cpu", "--data", Train, "--out", Path.Combine(_folder, "f.gpumf"),
            "--item-features", Path.Combine(TestData.Root, "ml-100k", "u.item"));
        Assert.Contains("train without features", OneError(code, error));
        Assert.Equal(string.Empty, output.Trim());
        Assert.False(File.Exists(Path.Combine(_folder, "f.gpumf")));
    }

    /// <summary>
    /// Rank 2 of 3 killed once training runs (rank 0's first checkpoint means every rank finished an iteration):
    /// mpirun stops the others within seconds, each says so, and the model file that was there is untouched.
    /// </summary>
    [Fact]
    public async Task AKilledRankEndsTheJobOnEveryRankAndKeepsThePreviousModel()
    {
        string output = Path.Combine(_folder, "model.gpumf");
        File.WriteAllText(output, "the previous model");
        using var job = MpiRunner.Start(null, (3, ["train", "--model", "als", "--data", Train, "--out", output, "--backend", "cpu",
            "--factors", "8", "--iterations", "10000", "--checkpoint-every", "1", "--json"]));
        var stdout = job.StandardOutput.ReadToEndAsync();
        var stderr = job.StandardError.ReadToEndAsync();
        var wait = Stopwatch.StartNew();
        while (!File.Exists(output + ".ckpt") && !job.HasExited)
        {
            Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), "no checkpoint after two minutes");
            await Task.Delay(50);
        }
        if (job.HasExited)
        {
            Assert.Fail($"the job ended before it could be killed: {await stderr}");
        }
        int victim = RankProcess(job.Id, 2);
        Assert.Equal(0, InterruptTests.Kill(victim, 9));
        var killed = Stopwatch.StartNew();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await job.WaitForExitAsync(timeout.Token);
        }
        string error = await stderr;
        Assert.InRange(killed.Elapsed.TotalSeconds, 0, 30);
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("gpumf: rank 0 of 3: the MPI job was stopped", error);
        Assert.Contains("gpumf: rank 1 of 3: the MPI job was stopped", error);
        Assert.Equal(string.Empty, (await stdout).Trim());
        Assert.Equal("the previous model", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(_folder, "model.gpumf.tmp*"));
    }

    [Fact]
    public void RanksGivenDifferentOptionsFailTogetherWithOneError()
    {
        string[] common = ["train", "--model", "als", "--data", Train, "--out", Path.Combine(_folder, "m.gpumf"), "--backend", "cpu", "--factors", "8", "--iterations", "2"];
        var (code, _, error) = MpiRunner.Run(null, (2, common), (1, [.. common, "--alpha", "5"]));
        var line = OneError(code, error);
        Assert.Contains("rank 2 of 3 was given other data or options than rank 0", line);
        Assert.False(File.Exists(Path.Combine(_folder, "m.gpumf")));
    }

    [Fact]
    public void RanksGivenDifferentDataFilesFailTogether()
    {
        string other = Path.Combine(_folder, "other.tsv");
        File.WriteAllLines(other, File.ReadLines(Train).Skip(1));
        string[] tail = ["--out", Path.Combine(_folder, "m.gpumf"), "--backend", "cpu", "--factors", "8", "--iterations", "2"];
        var (code, _, error) = MpiRunner.Run(null, (1, ["train", "--model", "als", "--data", Train, .. tail]), (1, ["train", "--model", "als", "--data", other, .. tail]));
        Assert.Contains("rank 1 of 2 was given other data or options than rank 0", OneError(code, error));
    }

    [Theory]
    [InlineData("train", "--model", "warp", "--backend", "ilgpu-cpu", "give --backend cpu")]
    [InlineData("train", "--model", "als", "--backend", "ilgpu-cpu", "give --backend cpu")]
    [InlineData("evaluate", "--model", "als", "--backend", "cpu", "run 'evaluate' without mpirun")]
    public void WhatCannotTrainAcrossRanksIsOneUsageError(string command, string modelOption, string model, string backendOption, string backend, string expected)
    {
        string[] args = command == "train"
            ? [command, modelOption, model, backendOption, backend, "--data", Train, "--out", Path.Combine(_folder, "m.gpumf")]
            : [command, modelOption, model, backendOption, backend, "--train", Train, "--test", Test];
        var (code, output, error) = MpiRunner.Run(2, args);
        Assert.Contains(expected, OneError(code, error));
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public void AMissingMpiLibraryNamesWhatToInstall()
    {
        var environment = new Dictionary<string, string> { ["GPUMF_MPI_LIBRARY"] = Path.Combine(_folder, "libmpi-missing.so") };
        var (code, _, error) = MpiRunner.Run(environment, (2, ["train", "--model", "als", "--data", Train, "--out", Path.Combine(_folder, "m.gpumf"), "--backend", "cpu"]));
        Assert.Equal(1, code);
        var lines = MpiRunner.GpumfLines(error);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", l));
        Assert.Contains(lines, l => l.StartsWith("gpumf: rank 1 of 2:", StringComparison.Ordinal));
    }

    /// <summary>The one gpumf error line of a job that ended with a usage error (exit code 2).</summary>
    private static string OneError(int code, string error)
    {
        var lines = MpiRunner.GpumfLines(error);
        Assert.True(code == 2 && lines.Length == 1, $"exit code {code}: {error}");
        return lines[0];
    }

    private static double PrecisionAt10(string model)
    {
        var (code, output, error) = CliRunner.Run("evaluate", "--model-file", model, "--test", Test, "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("precision@10").GetDouble();
    }

    /// <summary>The pid of the child of <paramref name="mpirun"/> that runs rank <paramref name="rank"/>.</summary>
    private static int RankProcess(int mpirun, int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (parent == mpirun && File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}"))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        throw new InvalidOperationException($"no process of rank {rank} under mpirun {mpirun}");
    }
}
