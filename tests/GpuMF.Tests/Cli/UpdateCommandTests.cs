using GpuMF.Models;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary><c>gpumf update</c> and <c>gpumf recommend --liked … --explain</c>.</summary>
public sealed class UpdateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-update-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void UpdateAddsNewUsersAndLeavesTheOldModelFileAsItWas()
    {
        string old = Path.Combine(_folder, "old.tsv"), added = Path.Combine(_folder, "new.tsv");
        var lines = File.ReadAllLines(TestData.Split("ml100k_implicit_train.tsv"));
        File.WriteAllLines(old, lines.Where(l => long.Parse(l.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture) % 10 != 0));
        File.WriteAllLines(added, lines.Where(l => long.Parse(l.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture) % 10 == 0));
        string model = Path.Combine(_folder, "m.gpumf"), updated = Path.Combine(_folder, "m2.gpumf");
        Assert.Equal(0, CliRunner.Run("train", "--model", "als", "--data", old, "--out", model, "--factors", "8", "--iterations", "3", "--backend", "cpu").Code);
        byte[] before = File.ReadAllBytes(model);
        var (code, output, error) = CliRunner.Run("update", "--model", model, "--data", added, "--out", updated, "--backend", "cpu", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.Contains("\"new_users\":", output);
        var grown = FactorModel.Load(updated);
        var first = FactorModel.Load(model);
        Assert.True(grown.Users.Count > first.Users.Count);
        Assert.True(grown.Users.TryGetIndex(10, out _));
        Assert.False(first.Users.TryGetIndex(10, out _));
        Assert.Equal(0, CliRunner.Run("recommend", "--model", updated, "--user", "10", "--n", "3").Code);
    }

    [Fact]
    public void UpdateRefusesToWriteOverItsModelAndAnEmptyFile()
    {
        string model = Path.Combine(_folder, "m.gpumf"), empty = Path.Combine(_folder, "empty.tsv");
        File.WriteAllText(empty, "");
        Assert.Equal(0, CliRunner.Run("train", "--model", "bpr", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--factors", "4", "--epochs", "1", "--backend", "cpu").Code);
        byte[] before = File.ReadAllBytes(model);
        Assert.Equal(2, CliRunner.Run("update", "--model", model, "--data", TestData.Split("ml100k_implicit_test.tsv"), "--out", model).Code);
        var (code, _, error) = CliRunner.Run("update", "--model", model, "--data", empty, "--out", Path.Combine(_folder, "m2.gpumf"));
        Assert.Equal(1, code);
        Assert.Contains(empty, error);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.False(File.Exists(Path.Combine(_folder, "m2.gpumf")));
    }

    [Fact]
    public void RecommendFoldsInLikedItemsAndExplainsEachRecommendation()
    {
        string model = Path.Combine(_folder, "als.gpumf");
        Assert.Equal(0, CliRunner.Run("train", "--model", "als", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--factors", "8", "--iterations", "3", "--backend", "cpu").Code);
        var (code, output, error) = CliRunner.Run("recommend", "--model", model, "--liked", "50,181,172", "--n", "2", "--explain");
        Assert.True(code == 0, error);
        Assert.Contains("a new user who liked 50, 181, 172", output);
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("because of", StringComparison.Ordinal) && l.Contains("(weight ", StringComparison.Ordinal)));
        Assert.Equal(2, CliRunner.Run("recommend", "--model", model, "--user", "1", "--liked", "50").Code);
        Assert.Equal(2, CliRunner.Run("recommend", "--model", model, "--liked", "50,181", "--ratings", "5").Code);
        Assert.Equal(2, CliRunner.Run("recommend", "--model", model, "--liked", "-999999").Code);
    }
}
