using System.Globalization;
using System.Text.Json;
using GpuMF.Models;
using GpuMF.Persistence;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>
/// The console host with feature files: ML-100K's u.item genres and u.user demographics train hybrid models, the
/// saved model answers for users and items described by features alone, the cold-start protocols run, and bad
/// combinations stop with one line naming the option.
/// </summary>
public sealed class FeatureCommandTests : IDisposable
{
    private static readonly string[] Quick = ["--factors", "16", "--epochs", "5", "--backend", "cpu", "--threads", "2"];

    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-features-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Ml100k(string file) => Path.Combine(TestData.Root, "ml-100k", file);

    [Fact]
    public void AHybridModelAnswersForAUserAndAnItemDescribedByFeaturesAlone()
    {
        string model = Path.Combine(_folder, "hybrid.gpumf");
        var (code, output, error) = CliRunner.Run(["train", "--model", "warp", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model,
            "--item-features", Ml100k("u.item"), "--user-features", Ml100k("u.user"), "--json", .. Quick]);
        Assert.True(code == 0, error);
        Assert.Contains("--item-features", error);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal(19 - 1, json.RootElement.GetProperty("item_features").GetInt32());
            Assert.True(json.RootElement.GetProperty("user_features").GetInt32() > 20);
        }
        var loaded = FactorModel.Load(model);
        Assert.Equal(3u, ModelFile.VersionOf(loaded));
        Assert.NotNull(loaded.UserFeatures);
        Assert.NotNull(loaded.ItemFeatures);

        (code, output, error) = CliRunner.Run("recommend", "--model", model, "--user-features", "age=25-34,gender=F,occupation=programmer", "--n", "7");
        Assert.True(code == 0, error);
        Assert.Contains("a new user described as age=25-34, gender=F, occupation=programmer", output);
        Assert.Equal(7, Rows(output));

        (code, output, error) = CliRunner.Run("similar", "--model", model, "--item-features", "genre=Animation,genre=Children's,genre=Comedy", "--n", "5", "--movies", Ml100k("u.item"));
        Assert.True(code == 0, error);
        Assert.Equal(5, Rows(output));

        (code, output, error) = CliRunner.Run("recommend", "--model", model, "--item-features", "genre=Horror", "--n", "4");
        Assert.True(code == 0, error);
        Assert.Contains("users", output);
        Assert.Equal(4, Rows(output));

        string exported = Path.Combine(_folder, "export");
        (code, _, error) = CliRunner.Run("export", "--model", model, "--out", exported);
        Assert.True(code == 0, error);
        foreach (string file in new[] { "user_feature_names", "user_feature_embeddings", "item_feature_names", "item_feature_embeddings", "item_feature_bias" })
        {
            Assert.True(File.Exists(Path.Combine(exported, file + ".npy")), file);
        }
        Assert.Contains("item_from_features", File.ReadAllText(Path.Combine(exported, "model.json")));

        (code, _, error) = CliRunner.Run("recommend", "--model", model, "--user-features", "age=25-34,planet=Mars");
        Assert.NotEqual(0, code);
        Assert.Contains("planet=Mars", error);
    }

    [Fact]
    public void EntitiesOnlyTheFeatureFilesNameAreAddedToTheModelAndCanBeRecommendedTo()
    {
        string features = Path.Combine(_folder, "users.tsv");
        File.WriteAllLines(features, ["user\tfeature", "1\tgender=F", "5000\tgender=F", "5000\tage=25-34", "2\tage=25-34"]);
        string model = Path.Combine(_folder, "m.gpumf");
        var (code, _, error) = CliRunner.Run(["train", "--model", "bpr", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", model, "--user-features", features, .. Quick]);
        Assert.True(code == 0, error);
        Assert.Contains("1 users training lacks, added to the model from their features alone", error);
        var (recCode, output, recError) = CliRunner.Run("recommend", "--model", model, "--user", "5000", "--n", "3");
        Assert.True(recCode == 0, recError);
        Assert.Equal(3, Rows(output));
    }

    [Fact]
    public void TheItemColdStartProtocolRanksHeldOutItemsFromTheirGenresBetterThanChance()
    {
        var (train, test) = HoldOutItems();
        var (code, output, error) = CliRunner.Run(["evaluate", "--model", "warp", "--train", train, "--test", test, "--cold-start", "items",
            "--item-features", Ml100k("u.item"), "--no-item-identity", "--json", .. Quick]);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("items", root.GetProperty("cold_start").GetString());
        Assert.True(root.GetProperty("feature_only_items").GetInt32() >= root.GetProperty("candidates").GetInt32());
        Assert.InRange(root.GetProperty("candidates").GetInt32(), 100, 400);
        Assert.InRange(root.GetProperty("auc_full").GetDouble(), 0.6, 1.0);
    }

    [Theory]
    [InlineData("--model als --item-features FEATURES", "takes no features")]
    [InlineData("--model warp --no-item-identity", "--no-item-identity goes with --item-features")]
    [InlineData("--model warp --scale-feature-weights", "--scale-feature-weights goes with")]
    [InlineData("--model warp --shared-feature-weight 0.5", "--shared-feature-weight goes with")]
    [InlineData("--model warp --item-features FEATURES --shared-feature-weight 0", "--shared-feature-weight")]
    [InlineData("--model warp --cold-start items", "give --item-features FILE")]
    [InlineData("--model warp --cold-start users --item-features FEATURES", "give --user-features FILE")]
    public void BadFeatureOptionsStopWithOneLineNamingThem(string arguments, string message)
    {
        var args = arguments.Replace("FEATURES", Ml100k("u.item"), StringComparison.Ordinal).Split(' ');
        var (code, _, error) = CliRunner.Run(["evaluate", "--train", TestData.Split("ml100k_implicit_train.tsv"), "--test", TestData.Split("ml100k_implicit_test.tsv"), .. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void CheckpointsAreRefusedWithFeatures()
    {
        var (code, _, error) = CliRunner.Run(["train", "--model", "warp", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", Path.Combine(_folder, "c.gpumf"),
            "--item-features", Ml100k("u.item"), "--checkpoint-every", "1", .. Quick]);
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint-every and --resume are not available with features", error);
        Assert.False(File.Exists(Path.Combine(_folder, "c.gpumf")));
    }

    [Fact]
    public void AFeatureFileWithStringIdsForIntegerInteractionsIsAnErrorNamingTheFile()
    {
        string features = Path.Combine(_folder, "items.csv");
        File.WriteAllLines(features, ["item,feature", "m1,genre=Comedy"]);
        var (code, _, error) = CliRunner.Run(["train", "--model", "warp", "--data", TestData.Split("ml100k_implicit_train.tsv"), "--out", Path.Combine(_folder, "s.gpumf"), "--item-features", features, .. Quick]);
        Assert.NotEqual(0, code);
        Assert.Contains("items.csv", error);
        Assert.False(File.Exists(Path.Combine(_folder, "s.gpumf")));
    }

    /// <summary>ML-100K's positives with a seeded fifth of the items held out entirely: every positive of theirs in test.</summary>
    private (string Train, string Test) HoldOutItems()
    {
        var rows = File.ReadAllLines(Ml100k("u.data")).Select(l => l.Split('\t')).Where(f => int.Parse(f[2], CultureInfo.InvariantCulture) >= 4).ToList();
        var items = rows.Select(f => f[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        var random = new Random(7);
        var held = items.OrderBy(_ => random.Next()).Take(items.Count / 5).ToHashSet();
        string train = Path.Combine(_folder, "train.tsv"), test = Path.Combine(_folder, "test.tsv");
        File.WriteAllLines(train, rows.Where(f => !held.Contains(f[1])).Select(f => $"{f[0]}\t{f[1]}\t1"));
        File.WriteAllLines(test, rows.Where(f => held.Contains(f[1])).Select(f => $"{f[0]}\t{f[1]}\t1"));
        return (train, test);
    }

    private static int Rows(string table) => table.Split('\n').Count(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0]));
}
