using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuMF.Tests.Data;

namespace GpuMF.Tests.Cli;

/// <summary>What the host says when things are not as expected, and the shape of its JSON.</summary>
public sealed partial class MessageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-msg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Train(string model, params string[] extra) =>
        ["train", "--model", "svd", "--data", BadInputCorpusTests.Corpus("cold-train.tsv"), "--out", Path.Combine(_dir, model), "--backend", "cpu", "--epochs", "2", "--factors", "2", .. extra];

    [Fact]
    public void ResumeWithoutACheckpointSaysItStartsFresh()
    {
        var r = CliRunner.Run(Train("m.gpumf", "--resume"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains($"--resume: no checkpoint at {Path.Combine(_dir, "m.gpumf.ckpt")}; starting fresh", r.Err);
    }

    [Fact]
    public void ACorruptCheckpointSaysHowToStartFresh()
    {
        string checkpoint = Path.Combine(_dir, "m.gpumf.ckpt");
        File.WriteAllText(checkpoint, "not a model");
        var r = CliRunner.Run(Train("m.gpumf", "--resume"));
        Assert.Equal(1, r.Code);
        Assert.Contains($"Delete {checkpoint}, or drop --resume, to start fresh.", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(_dir, "m.gpumf")));
    }

    [Fact]
    public void AClosedStandardOutputIsNamedAsSuch()
    {
        Assert.Equal(0, CliRunner.Run(Train("m.gpumf")).Code);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" recommend --model \"$1\" --user 1 >&-");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll"));
        start.ArgumentList.Add(Path.Combine(_dir, "m.gpumf"));
        using var process = Process.Start(start)!;
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Equal("gpumf: standard output is closed, so the command's output could not be written.", err.Trim());
    }

    /// <summary>A bad file's bytes are quoted in errors with their control characters escaped: an escape sequence cannot reach the terminal.</summary>
    [Fact]
    public void ControlBytesFromABadFileAreEscaped()
    {
        string data = Path.Combine(_dir, "bad.tsv");
        File.WriteAllText(data, "1\t2\t3\n1\t\u001b[31mred\u0007\t4\n");
        var r = CliRunner.Run("train", "--model", "svd", "--data", data, "--out", Path.Combine(_dir, "m.gpumf"));
        Assert.Equal(1, r.Code);
        Assert.Contains(@"field 2 (item id) '\x1B[31mred\x07' is not an integer", r.Err);
        Assert.DoesNotContain(r.Err.TrimEnd('\n'), char.IsControl);
    }

    [Fact]
    public void BackendsAreNamedAsTypedInTextAndJson()
    {
        var r = CliRunner.Run("train", "--model", "svd", "--data", BadInputCorpusTests.Corpus("cold-train.tsv"), "--out", Path.Combine(_dir, "m.gpumf"), "--backend", "ilgpu-cpu", "--epochs", "1", "--factors", "2", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("training svd on ilgpu-cpu (", r.Err);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal("ilgpu-cpu", json.RootElement.GetProperty("backend").GetString());
    }

    /// <summary>train, evaluate, score and bench print JSON whose keys, options included, are all snake_case (metrics may end in @K).</summary>
    [Fact]
    public void EveryJsonKeyIsSnakeCase()
    {
        string model = Path.Combine(_dir, "m.gpumf");
        var outputs = new List<string>
        {
            CliRunner.Run(Train("m.gpumf", "--json")).Out,
            CliRunner.Run("evaluate", "--model", "als", "--train", BadInputCorpusTests.Corpus("cold-train.tsv"), "--test", BadInputCorpusTests.Corpus("cold-test.tsv"), "--backend", "cpu", "--factors", "2", "--iterations", "1", "--json").Out,
            CliRunner.Run("score", "--model", model, "--out", Path.Combine(_dir, "top.csv"), "--backend", "cpu", "--json").Out,
            CliRunner.Run("bench", "--model", "bpr", "--scale", "0.001", "--epochs", "2", "--backend", "cpu").Out,
        };
        foreach (string output in outputs)
        {
            using var json = JsonDocument.Parse(output);
            var keys = Keys(json.RootElement).ToList();
            Assert.NotEmpty(keys);
            Assert.All(keys, key => Assert.Matches(SnakeCase(), key));
        }
    }

    /// <summary>selftest prints each check's line as it finishes: the first arrives while the rest still run, and a signal stops them.</summary>
    [Fact]
    public async Task SelfTestReportsEachCheckAsItGoes()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll"), "selftest", "--backend", "ilgpu-cpu" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var err = process.StandardError.ReadToEndAsync();
        string? line = await process.StandardOutput.ReadLineAsync();
        while (line is not null && !line.StartsWith("sgd-epoch", StringComparison.Ordinal))
        {
            line = await process.StandardOutput.ReadLineAsync();
        }
        Assert.NotNull(line);
        Assert.EndsWith("pass", line);
        Assert.False(process.HasExited);
        Assert.Equal(0, InterruptTests.Kill(process.Id, InterruptTests.SigTerm));
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(143, process.ExitCode);
        Assert.Contains("gpumf: cancelled.", await err);
    }

    private static IEnumerable<string> Keys(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }
        foreach (var property in element.EnumerateObject())
        {
            yield return property.Name;
            foreach (string key in Keys(property.Value))
            {
                yield return key;
            }
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*(@[0-9]+)?$")]
    private static partial Regex SnakeCase();
}
