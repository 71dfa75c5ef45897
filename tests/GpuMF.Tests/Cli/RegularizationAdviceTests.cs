using System.Globalization;
using GpuMF.Als;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>ALS's λ scaled to the data's interactions per user: the library's rule and the console host's advice.</summary>
public sealed class RegularizationAdviceTests
{
    /// <summary>Users 0..users-1 with <paramref name="perUser"/> distinct items each, plus one user without any.</summary>
    private static InteractionMatrix Matrix(int users, int perUser)
    {
        var u = new List<int>();
        var i = new List<int>();
        for (int user = 0; user < users; user++)
        {
            for (int item = 0; item < perUser; item++)
            {
                u.Add(user);
                i.Add((user + item) % 500);
            }
        }
        return InteractionMatrix.FromIndices(TestModels.Ids(users + 1), TestModels.Ids(500), [.. u], [.. i], [.. Enumerable.Repeat(1f, u.Count)]);
    }

    [Theory]
    [InlineData(61, 100f)]
    [InlineData(122, 200f)]
    [InlineData(20, 32.8f)]
    public void TheSuggestedLambdaScalesWithTheInteractionsPerActiveUser(int perUser, float expected)
    {
        Assert.Equal(expected, AlsOptions.SuggestedRegularization(Matrix(30, perUser)), 3);
    }

    [Fact]
    public void AMatrixWithoutInteractionsHasNoSuggestion()
    {
        var empty = InteractionMatrix.FromIndices(TestModels.Ids(2), TestModels.Ids(2), [], [], []);
        Assert.Throws<ArgumentException>(() => AlsOptions.SuggestedRegularization(empty));
    }

    [Fact]
    public void TrainingAlsAtTheDefaultLambdaOnSparserDataSuggestsTheScaledOne()
    {
        string train = TestData.Split("ml100k_implicit_train.tsv");
        var matrix = InteractionMatrix.Build(RatingFileReader.Read(train));
        string suggested = AlsOptions.SuggestedRegularization(matrix).ToString("G", CultureInfo.InvariantCulture);
        string[] common = ["evaluate", "--model", "als", "--train", train, "--test", TestData.Split("ml100k_implicit_test.tsv"), "--backend", "cpu", "--factors", "8", "--iterations", "2", "--json"];
        var (code, _, error) = CliRunner.Run(common);
        Assert.True(code == 0, error);
        Assert.Contains($"--reg {suggested} may suit it better", error);
        (code, _, error) = CliRunner.Run([.. common, "--reg", "100"]);
        Assert.True(code == 0, error);
        Assert.DoesNotContain("may suit it better", error);
    }
}
