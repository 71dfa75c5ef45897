using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Tests.Training;

public sealed class AlsTrainerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(19)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(256)]
    public void CpuCholeskyMatchesFloat64(int factors)
    {
        var options = new AlsOptions { Factors = factors, Solver = AlsSolver.Cholesky, Alpha = 2f, Regularization = 0.5f };
        var (actual, _) = AlsKernelSelfTest.RandomProblem(users: 41, items: 29, interactions: 400, factors, seed: 5, options);
        var (expected, matrix) = AlsKernelSelfTest.RandomProblem(users: 41, items: 29, interactions: 400, factors, seed: 5, options);
        using (var engine = new CpuAlsEngine(actual, threads: 2))
        {
            engine.Solve(AlsSide.Users);
            engine.Solve(AlsSide.Items);
        }
        AlsKernelSelfTest.SolveExactly(expected, matrix, AlsSide.Users);
        AlsKernelSelfTest.SolveExactly(expected, matrix, AlsSide.Items);
        Assert.True(SelfTestResult.Compare(actual.UserFactors, expected.UserFactors) < 1e-4);
        Assert.True(SelfTestResult.Compare(actual.ItemFactors, expected.ItemFactors) < 1e-4);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(33)]
    public void ConjugateGradientWithEnoughStepsReachesTheExactSolution(int factors)
    {
        // In exact arithmetic CG solves a k × k system in k steps; float rounding needs a few more.
        var options = new AlsOptions { Factors = factors, CgSteps = 3 * factors, Alpha = 2f, Regularization = 0.5f };
        var (actual, _) = AlsKernelSelfTest.RandomProblem(users: 23, items: 17, interactions: 150, factors, seed: 9, options);
        var (expected, matrix) = AlsKernelSelfTest.RandomProblem(users: 23, items: 17, interactions: 150, factors, seed: 9, options);
        using (var engine = new CpuAlsEngine(actual, threads: 2))
        {
            engine.Solve(AlsSide.Users);
        }
        AlsKernelSelfTest.SolveExactly(expected, matrix, AlsSide.Users);
        Assert.True(SelfTestResult.Compare(actual.UserFactors, expected.UserFactors) < 1e-3);
    }

    [Fact]
    public void FactorsDoNotDependOnTheThreadCount()
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 300, items: 200, interactions: 3000, factors: 8, seed: 2, AlsOptions.Defaults);
        var options = new AlsOptions { Factors = 8, Iterations = 3 };
        var one = new AlsTrainer(options, ComputeBackend.Create(BackendKind.Cpu, threads: 1)).Fit(matrix);
        var three = new AlsTrainer(options, ComputeBackend.Create(BackendKind.Cpu, threads: 3)).Fit(matrix);
        Assert.Equal(one.UserFactors, three.UserFactors);
        Assert.Equal(one.ItemFactors, three.ItemFactors);
    }

    [Fact]
    public void LossIsNaNUnlessAskedFor()
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 20, items: 10, interactions: 60, factors: 3, seed: 1, AlsOptions.Defaults);
        var losses = new List<double>();
        new AlsTrainer(new AlsOptions { Factors = 3, Iterations = 2 }).Fit(matrix, new Progress(losses));
        Assert.All(losses, l => Assert.True(double.IsNaN(l)));
    }

    [Fact]
    public void UsersAndItemsWithoutInteractionsGetZeroFactors()
    {
        var users = new IdMap([10, 20, 30]);
        var items = new IdMap([1, 2, 3, 4]);
        var matrix = InteractionMatrix.FromIndices(users, items, [0, 0, 1], [0, 1, 1], [1f, 1f, 2f]);
        var model = new AlsTrainer(new AlsOptions { Factors = 4, Iterations = 3, Solver = AlsSolver.Cholesky }).Fit(matrix);
        Assert.All(model.UserRow(2).ToArray(), f => Assert.Equal(0f, f));
        Assert.All(model.ItemRow(3).ToArray(), f => Assert.Equal(0f, f));
        Assert.Contains(model.UserRow(0).ToArray(), f => f != 0f);
    }

    [Fact]
    public void NonPositiveValuesAreRejectedByName()
    {
        var table = new RatingTable();
        table.Add(7, 3, 1f);
        table.Add(8, 4, 0f);
        var e = Assert.Throws<ArgumentException>(() => new AlsTrainer().Fit(InteractionMatrix.Build(table)));
        Assert.Contains("user 8, item 4", e.Message);
    }

    [Fact]
    public void EmptyMatrixIsRejected()
    {
        var matrix = InteractionMatrix.FromIndices(new IdMap([1]), new IdMap([1]), [], [], []);
        Assert.Throws<ArgumentException>(() => new AlsTrainer().Fit(matrix));
    }

    [Theory]
    [InlineData(nameof(AlsOptions.Factors))]
    [InlineData(nameof(AlsOptions.Iterations))]
    [InlineData(nameof(AlsOptions.Regularization))]
    [InlineData(nameof(AlsOptions.Alpha))]
    [InlineData(nameof(AlsOptions.Epsilon))]
    [InlineData(nameof(AlsOptions.CgSteps))]
    [InlineData(nameof(AlsOptions.InitStdDev))]
    [InlineData(nameof(AlsOptions.Solver))]
    public void ValidateNamesTheBadOption(string name)
    {
        var bad = name switch
        {
            nameof(AlsOptions.Factors) => AlsOptions.Defaults with { Factors = 0 },
            nameof(AlsOptions.Iterations) => AlsOptions.Defaults with { Iterations = 0 },
            nameof(AlsOptions.Regularization) => AlsOptions.Defaults with { Regularization = 0f },
            nameof(AlsOptions.Alpha) => AlsOptions.Defaults with { Alpha = float.NaN },
            nameof(AlsOptions.Epsilon) => AlsOptions.Defaults with { Epsilon = -1f },
            nameof(AlsOptions.CgSteps) => AlsOptions.Defaults with { CgSteps = 0 },
            nameof(AlsOptions.InitStdDev) => AlsOptions.Defaults with { InitStdDev = 2f },
            _ => AlsOptions.Defaults with { Solver = (AlsSolver)7 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(bad.Validate);
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void OptionsRoundTripThroughJson()
    {
        var options = new AlsOptions { Factors = 17, Solver = AlsSolver.Cholesky, Confidence = ConfidenceScaling.Log, Epsilon = 0.5f, Alpha = 7f, ComputeLoss = true };
        string json = options.ToJson();
        Assert.Contains("\"Cholesky\"", json);
        Assert.Equal(options, AlsOptions.FromJson(json));
        Assert.Throws<InvalidDataException>(() => AlsOptions.FromJson("{\"Factors\": 0}"));
        Assert.Throws<InvalidDataException>(() => AlsOptions.FromJson("not json"));
    }

    [Theory]
    [InlineData(ConfidenceScaling.Linear, 3f, 1f + 2f * 3f)]
    [InlineData(ConfidenceScaling.Log, 3f, 1f + 2f * 1.38629436f)]
    public void ConfidenceFollowsTheScaling(ConfidenceScaling scaling, float value, float expected)
    {
        var options = new AlsOptions { Alpha = 2f, Confidence = scaling, Epsilon = 1f };
        Assert.Equal(expected, options.ConfidenceOf(value), 5);
    }

    [Fact]
    public void PartialFitUsersResolvesGivenUsersAndAppendsNewOnes()
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 40, items: 25, interactions: 400, factors: 5, seed: 13, AlsOptions.Defaults);
        var model = new AlsTrainer(new AlsOptions { Factors = 5, Iterations = 3 }).Fit(matrix);
        var update = new RatingTable();
        update.Add(matrix.Users[2], matrix.Items[0], 2f);
        update.Add(matrix.Users[2], matrix.Items[5], 1f);
        update.Add(999, matrix.Items[1], 1f);
        update.Add(999, 12345, 1f);
        var updated = AlsTrainer.PartialFitUsers(model, update);
        Assert.Equal(model.Users.Count + 1, updated.Users.Count);
        Assert.Equal(model.Users.Count, updated.Users.IndexOf(999));
        Assert.Equal(model.RecalculateUser([(matrix.Items[0], 2f), (matrix.Items[5], 1f)]).Factors, updated.UserRow(2).ToArray());
        Assert.Equal(model.RecalculateUser([(matrix.Items[1], 1f)]).Factors, updated.UserRow(model.Users.Count).ToArray());
        Assert.Equal(model.UserRow(3).ToArray(), updated.UserRow(3).ToArray());
        Assert.Equal(model.ItemFactors, updated.ItemFactors);
        Assert.Equal([0, 5], updated.SeenItems[updated.SeenPtr[2]..updated.SeenPtr[3]]);
        Assert.Equal([1], updated.SeenItems[updated.SeenPtr[^2]..]);
        Assert.False(model.Users.TryGetIndex(999, out _));
    }

    [Fact]
    public void PartialFitItemsResolvesGivenItemsAndUpdatesSeenItems()
    {
        var (_, matrix) = AlsKernelSelfTest.RandomProblem(users: 40, items: 25, interactions: 400, factors: 5, seed: 14, AlsOptions.Defaults);
        var model = new AlsTrainer(new AlsOptions { Factors = 5, Iterations = 3, Solver = AlsSolver.Cholesky }).Fit(matrix);
        var update = new RatingTable();
        update.Add(matrix.Users[0], matrix.Items[3], 1f);
        update.Add(matrix.Users[4], matrix.Items[3], 1f);
        update.Add(matrix.Users[4], 777, 2f);
        var updated = AlsTrainer.PartialFitItems(model, update);
        Assert.Equal(model.Items.Count + 1, updated.Items.Count);
        Assert.Equal(model.UserFactors, updated.UserFactors);
        Assert.Equal(model.ItemRow(0).ToArray(), updated.ItemRow(0).ToArray());
        Assert.NotEqual(model.ItemRow(3).ToArray(), updated.ItemRow(3).ToArray());
        for (int u = 0; u < updated.Users.Count; u++)
        {
            var seen = updated.SeenItems[updated.SeenPtr[u]..updated.SeenPtr[u + 1]];
            Assert.Equal(u is 0 or 4, seen.Contains(3));
            Assert.Equal(u == 4, seen.Contains(model.Items.Count));
        }
        Assert.Throws<ArgumentException>(() => AlsTrainer.PartialFitItems(new SvdTrainer(new SvdOptions { Factors = 2, Epochs = 1 }).Fit(matrix), update));
    }

    private sealed class Progress(List<double> losses) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => losses.Add(value.TrainLoss);
    }
}
