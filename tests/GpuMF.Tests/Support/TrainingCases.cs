using GpuMF.Als;
using GpuMF.Backends;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Tests.Support;

/// <summary>Every model trained one way by the suites and the training tests: its data, its options and the test hooks.</summary>
internal static class TrainingCases
{
    public static TheoryData<string> Models() => new() { "svd", "als", "bpr", "warp" };

    /// <summary>The ML-100K training split: the explicit ratings for SVD, the implicit split for the others.</summary>
    public static InteractionMatrix MovieLens100K(string model) =>
        InteractionMatrix.Build(RatingFileReader.Read(TestData.Split(model == "svd" ? "ml100k_explicit_train.tsv" : "ml100k_implicit_train.tsv")));

    /// <summary>
    /// What a suite trains on: ML-100K, or where kernels are simulated (<see cref="BackendFixture.Simulated"/>) a
    /// small set: for ALS, whose simulated kernels cost most, 60 interactions of 16 users and 12 items; for the
    /// others <paramref name="simulatedSamples"/> synthetic interactions (<see cref="SyntheticData"/>) of 150
    /// users and 120 items, ratings for SVD and positives for BPR and WARP. One warp takes 512 samples a launch,
    /// so an epoch of more than 1,024 samples has three launches and three cancellation check points.
    /// </summary>
    public static InteractionMatrix Data(string model, BackendFixture fixture, int simulatedSamples = 400) => (fixture.Simulated, model) switch
    {
        (false, _) => MovieLens100K(model),
        (true, "als") => AlsKernelSelfTest.RandomProblem(users: 16, items: 12, interactions: 60, factors: Factors(fixture), seed: 3, AlsOptions.Defaults).Matrix,
        _ => SyntheticData.Generate(users: 150, items: 120, interactions: simulatedSamples, explicitRatings: model == "svd", seed: 5),
    };

    /// <summary>Factors of a suite's models: 16, or 5 (fewer than one warp of most devices, and no multiple of any) where kernels are simulated.</summary>
    public static int Factors(BackendFixture fixture) => fixture.Simulated ? 5 : 16;

    /// <summary>
    /// Ratings of a hidden rank-8 model (<see cref="SyntheticData"/>) with a fifth of each user's held out, both
    /// in the training index space; as positives (value 1), only the ratings of 4 and 5.
    /// </summary>
    public static (InteractionMatrix Train, InteractionMatrix Test) SyntheticSplit(int users, int items, int interactions, bool positives)
    {
        var m = SyntheticData.Generate(users, items, interactions, explicitRatings: true, seed: 5);
        var table = new RatingTable(m.Count);
        for (int u = 0; u < m.UserCount; u++)
        {
            var rated = m.ItemsOf(u);
            var values = m.ValuesOf(u);
            for (int n = 0; n < rated.Length; n++)
            {
                if (!positives || values[n] >= 4)
                {
                    table.Add(m.Users[u], m.Items[rated[n]], positives ? 1f : values[n]);
                }
            }
        }
        var (train, test) = Splitter.PerUserFraction(table, 0.2, 3);
        return Join(train, test);
    }

    /// <summary>A training and a test table in one index space: training ids first, then ids only the test has.</summary>
    public static (InteractionMatrix Train, InteractionMatrix Test) Join(RatingTable trainTable, RatingTable testTable)
    {
        var users = new IdMap();
        var items = new IdMap();
        var train = InteractionMatrix.Build(trainTable, DuplicatePolicy.Reject, users, items);
        var test = InteractionMatrix.Build(testTable, DuplicatePolicy.Reject, users, items);
        return (InteractionMatrix.FromIndices(users, items, train.EntryUsers(), train.UserItems, train.UserValues), test);
    }

    /// <summary>
    /// Trains <paramref name="model"/> with options whose step size decays, so that a resumed run must also take
    /// up the decay where it stopped. On an ILGPU backend the SGD models launch one warp: a run repeats exactly,
    /// and an epoch of more than 512 samples takes several launches, with a cancellation check point before each.
    /// <c>afterEpoch</c> is called with each finished epoch's number, <c>probe</c> at every cancellation check
    /// point inside an epoch.
    /// </summary>
    public static FactorModel Fit(string model, ComputeBackend backend, InteractionMatrix data, CheckpointOptions? checkpoint = null, CancellationToken ct = default, Action<int>? afterEpoch = null, FactorModel? resumeFrom = null, int epochs = 6, Action? probe = null, int factors = 16)
    {
        var epochDone = new SyncProgress<EpochReport>(r => afterEpoch?.Invoke(r.Epoch));
        return model switch
        {
            "svd" => new SvdTrainer(SvdOptions.Defaults with { Factors = factors, Epochs = epochs }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, epochDone, ct, resumeFrom),
            "als" => new AlsTrainer(AlsOptions.Defaults with { Factors = factors, Iterations = epochs }, backend) { Checkpoint = checkpoint, CancellationProbe = probe }
                .Fit(data, epochDone, ct, resumeFrom),
            "bpr" => new BprTrainer(BprOptions.Defaults with { Factors = factors, Epochs = epochs, LearningRateDecay = 0.9f }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, epochDone, ct, resumeFrom),
            "warp" => new WarpTrainer(WarpOptions.Defaults with { Factors = factors, Epochs = epochs, LearningRateDecay = 0.9f }, backend) { Checkpoint = checkpoint, CancellationProbe = probe, IlgpuWarps = 1 }
                .Fit(data, null, epochDone, ct, resumeFrom),
            _ => throw new ArgumentOutOfRangeException(nameof(model)),
        };
    }
}
