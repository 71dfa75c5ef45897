using System.Text.RegularExpressions;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Tests.Support;
using GpuMF.Training;

namespace GpuMF.Tests;

/// <summary>Runs from a folder of its own; the README's code names its files relative to the working folder.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkingFolderCollection
{
    public const string Name = "working folder";
}

/// <summary>
/// The library example in README.md is <see cref="Snippet"/>'s body, character for character up to indentation:
/// one test compares them, another runs it on the ML-100K split (whose test set holds users and items that training
/// lacks, the case that once broke the example).
/// </summary>
[Collection(WorkingFolderCollection.Name)]
public sealed partial class ReadmeSnippetTests
{
    [Fact]
    public void ReadmeShowsThisCode()
    {
        string root = LayeringTests.RepositoryRoot();
        var blocks = CSharpBlock().Matches(File.ReadAllText(Path.Combine(root, "README.md")))
            .Select(m => Normalize(m.Groups[1].Value.Split('\n').Where(l => !UsingDirective().IsMatch(l))))
            .ToList();
        string source = File.ReadAllText(Path.Combine(root, "tests", "GpuMF.Tests", "ReadmeSnippetTests.cs"));
        var regions = new List<string>();
        for (int begin = source.IndexOf("// README begin\n", StringComparison.Ordinal); begin >= 0; begin = source.IndexOf("// README begin\n", begin + 1, StringComparison.Ordinal))
        {
            int end = source.IndexOf("// README end\n", begin, StringComparison.Ordinal);
            regions.Add(Normalize(source[source.IndexOf('\n', begin)..end].Split('\n')));
        }
        Assert.Equal(3, blocks.Count);
        Assert.Equal(regions, blocks);
    }

    [Fact]
    public void TheReadmeCodeRunsOnDataWithColdTestUsersAndItems()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"gpumf-readme-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string previous = Environment.CurrentDirectory;
        try
        {
            File.Copy(TestData.Split("ml100k_explicit_train.tsv"), Path.Combine(folder, "train.tsv"));
            File.Copy(TestData.Split("ml100k_explicit_test.tsv"), Path.Combine(folder, "test.tsv"));
            Environment.CurrentDirectory = folder;
            var output = new StringWriter();
            var console = Console.Out;
            Console.SetOut(output);
            try
            {
                Snippet();
            }
            finally
            {
                Console.SetOut(console);
            }
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            double rmse = lines.Select(l => double.TryParse(l, System.Globalization.CultureInfo.CurrentCulture, out double v) ? v : double.NaN).First(double.IsFinite);
            Assert.InRange(rmse, 0.85, 1.0);
            Assert.True(File.Exists(Path.Combine(folder, "svd.gpumf")));
            // Progress reports arrive asynchronously, so the recommendations' line need not be the last.
            Assert.Contains(lines, l => l.Split(", ").Length == 10);

            File.Copy("test.tsv", "today.tsv");
            var (updated, why) = Update(FactorModel.Load("svd.gpumf"));
            Assert.True(updated.Users.Count >= 943);
            Assert.Equal(3, why.Reasons.Count);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Snippet()
    {
        // README begin
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(RatingFileReader.Read("train.tsv"), DuplicatePolicy.Reject, users, items);
        var test = InteractionMatrix.Build(RatingFileReader.Read("test.tsv"), DuplicatePolicy.Reject, users, items);

        using var backend = ComputeBackend.Create(BackendKind.Auto);
        var options = SvdOptions.Defaults with { Factors = 64, Epochs = 20 };
        FactorModel model = new SvdTrainer(options, backend).Fit(train, progress: new Progress<EpochReport>(r =>
            Console.WriteLine($"epoch {r.Epoch}: loss {r.TrainLoss:F4}")));

        Console.WriteLine(RatingMetrics.Evaluate(model, test).Rmse);
        foreach (var (item, score) in model.Recommend(user: 42, n: 10))
        {
            Console.WriteLine($"{item} {score:F3}");
        }
        model.Save("svd.gpumf");
        var again = FactorModel.Load("svd.gpumf");                // InvalidDataException if corrupt or truncated
        var newcomer = again.RecalculateUser([(1214L, 5f), (1036L, 5f), (260L, 5f)]);
        Console.WriteLine(string.Join(", ", again.Recommend(newcomer, 10).Select(r => r.Id)));
        // README end
    }

    private static (FactorModel Updated, Explanation Why) Update(FactorModel model)
    {
        // README begin
        var updated = model.Update(RatingFileReader.Read("today.tsv"));   // the old model is unchanged
        var why = updated.Explain(user: 42, item: 1196);                   // the user's items that weigh most
        // README end
        return (updated, why);
    }

    [Fact]
    public void TheReadmeHybridCodeDescribesANewItemByItsGenres()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"gpumf-readme-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        string previous = Environment.CurrentDirectory;
        var console = Console.Out;
        try
        {
            File.Copy(TestData.Split("ml100k_implicit_train.tsv"), Path.Combine(folder, "train.tsv"));
            File.Copy(Path.Combine(TestData.Root, "ml-100k", "u.item"), Path.Combine(folder, "u.item"));
            Environment.CurrentDirectory = folder;
            var output = new StringWriter();
            Console.SetOut(output);
            var hybrid = Hybrid();
            var ids = output.ToString().Trim().Split(", ");
            Assert.Equal(10, ids.Length);
            Assert.NotNull(hybrid.ItemFeatures);
            // u.item lists every ML-100K movie; the ones the training split lacks join the model from their genres.
            Assert.True(hybrid.Items.Count > 1409);
        }
        finally
        {
            Console.SetOut(console);
            Environment.CurrentDirectory = previous;
            Directory.Delete(folder, recursive: true);
        }
    }

    private static FactorModel Hybrid()
    {
        // README begin
        var train = InteractionMatrix.Build(RatingFileReader.Read("train.tsv").Positives());
        var genres = EntityFeatures.Build(FeatureFile.Read("u.item"), train.Items);     // identity + genre=… per item
        var hybrid = new WarpTrainer { ItemFeatures = genres.Known }.Fit(train)
            .WithFeatureOnlyItems(genres.ColdIds, genres.Cold);                          // the items training lacks
        var newItem = hybrid.ItemFromFeatures([("genre=Animation", 1f), ("genre=Children's", 1f), ("genre=Comedy", 1f)]);
        Console.WriteLine(string.Join(", ", hybrid.SimilarItems(newItem, 10).Select(r => r.Id)));
        // README end
        return hybrid;
    }

    private static string Normalize(IEnumerable<string> lines) =>
        string.Join("\n", lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("// README", StringComparison.Ordinal)));

    [GeneratedRegex(@"^using [\w.]+;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
