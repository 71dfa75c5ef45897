using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's side of the training loop: normal initial factors, zero item biases, adagrad sums at 1,
/// the mean loss per sample, and checkpoints that carry the adagrad sums.
/// </summary>
internal sealed class PairwiseRun : TrainingRun<IPairwiseEngine>
{
    private readonly PairwiseSettings _settings;
    private readonly PairwiseProblem _problem;

    public PairwiseRun(PairwiseSettings settings, InteractionMatrix train, int ilgpuWarps, MpiCommunicator? communicator = null)
        : base(settings.Kind, settings.OptionsJson, settings.Epochs, "epochs", settings.LearningRate, settings.LearningRateDecay, train)
    {
        _settings = settings;
        RequireNegatives(settings.Kind, train);
        _problem = CreateProblem(settings, train);
        Engines = communicator is null ? new PairwiseEngineFactory(_problem, ilgpuWarps) : new MpiPairwiseEngineFactory(_problem, communicator);
    }

    public override IEngineFactory<IPairwiseEngine> Engines { get; }

    /// <summary>The parameters before training: normal factors seeded per side, zero biases, adagrad sums at 1.</summary>
    public static PairwiseProblem CreateProblem(PairwiseSettings settings, InteractionMatrix train)
    {
        int k = settings.Factors;
        float[]? Ones(long length) => settings.Adagrad ? Enumerable.Repeat(1f, checked((int)length)).ToArray() : null;
        return new PairwiseProblem(
            train.UserCount,
            train.ItemCount,
            train.EntryUsers(),
            train.UserItems,
            train.UserPtr,
            train.UserItems,
            NormalFactors.Create(train.UserCount, k, settings.InitStdDev, settings.Seed, 1),
            NormalFactors.Create(train.ItemCount, k, settings.InitStdDev, settings.Seed, 2),
            new float[train.ItemCount],
            Ones((long)train.UserCount * k),
            Ones((long)train.ItemCount * k),
            Ones(train.ItemCount),
            settings);
    }

    /// <summary>Throws unless some user lacks some item, so that a negative can be drawn.</summary>
    /// <exception cref="ArgumentException">Every user of <paramref name="train"/> has every item.</exception>
    internal static void RequireNegatives(ModelKind kind, InteractionMatrix train)
    {
        if (!HasNegatives(train))
        {
            throw new ArgumentException($"{kind} learns from items a user does not have, and every user of the training data has all {train.ItemCount} items: there is no negative to sample.", nameof(train));
        }
    }

    /// <summary>True when some user lacks some item, so that a negative can be drawn.</summary>
    private static bool HasNegatives(InteractionMatrix train)
    {
        for (int u = 0; u < train.UserCount; u++)
        {
            if (train.UserPtr[u + 1] - train.UserPtr[u] < train.ItemCount)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Loads a checkpoint's parameters and adagrad sums.</summary>
    /// <exception cref="ArgumentException">The run uses adagrad and the checkpoint holds no sums.</exception>
    public override void Resume(FactorModel checkpoint)
    {
        if (_settings.Adagrad && checkpoint.Adagrad is null)
        {
            throw new ArgumentException("Cannot resume from this checkpoint: it holds no adagrad sums.", "resumeFrom");
        }
        checkpoint.UserFactors.CopyTo(_problem.P, 0);
        checkpoint.ItemFactors.CopyTo(_problem.Q, 0);
        checkpoint.ItemBias?.CopyTo(_problem.ItemBias, 0);
        if (checkpoint.Adagrad is { } sums && _problem is { UserAccumulators: { } gp, ItemAccumulators: { } gq, BiasAccumulators: { } gb })
        {
            sums.Users.CopyTo(gp, 0);
            sums.Items.CopyTo(gq, 0);
            sums.ItemBiases.CopyTo(gb, 0);
        }
    }

    public override void CopyBack(IPairwiseEngine engine) => engine.CopyTo(_problem);

    /// <summary>
    /// The model; a checkpoint (<paramref name="completedEpochs"/> ≥ 1) also carries the adagrad sums, since the
    /// step sizes of the epochs to come depend on them. A model without item biases keeps none: they stay 0.
    /// </summary>
    public override FactorModel Assemble(int completedEpochs) =>
        new(_settings.Kind, Train.Users.ToReadOnly(Train.UserCount), Train.Items.ToReadOnly(Train.ItemCount), _settings.Factors, _problem.P, _problem.Q, null,
            _settings.ItemBias ? _problem.ItemBias : null, 0f, Train.UserPtr, Train.UserItems, OptionsJson)
        {
            CompletedEpochs = completedEpochs,
            FoldIn = new PairwiseUserFoldIn(_settings),
            DataFingerprint = completedEpochs > 0 ? DataFingerprint : null,
            Adagrad = completedEpochs > 0 && _problem is { UserAccumulators: { } gp, ItemAccumulators: { } gq, BiasAccumulators: { } gb } ? new AdagradSums(gp, gq, gb) : null,
        };

    public override EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds) => Report(Kind, Epochs, epoch, result, elapsed, seconds);

    public override string? Divergence(EpochResult result, float learningRate) => DivergenceAdvice(result, learningRate);

    public override EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation) => WithRanking(report, model, validation);

    /// <summary>A BPR or WARP epoch's report, before validation: the mean loss, the samples, and the hit and trial rates.</summary>
    internal static EpochReport Report(ModelKind kind, int epochs, int epoch, EpochResult result, TimeSpan elapsed, double seconds)
    {
        double hits = (double)result.Hits / Math.Max(1, result.Samples);
        return new EpochReport(epoch + 1, epochs, MeanLoss(result), null, elapsed, result.Samples / Math.Max(seconds, 1e-9))
        {
            Updates = result.Samples,
            RankedCorrectlyFraction = kind == ModelKind.Bpr ? hits : null,
            ViolatorFraction = kind == ModelKind.Warp ? hits : null,
            NegativesPerSample = (double)result.Trials / Math.Max(1, result.Samples),
        };
    }

    /// <summary>What to try when the mean loss is no longer finite; null while it is.</summary>
    internal static string? DivergenceAdvice(EpochResult result, float learningRate) =>
        double.IsFinite(MeanLoss(result)) ? null : $"Try a smaller learning rate than {learningRate} (--lr), or a larger regularization.";

    /// <summary>The report with the precision@10 and NDCG@10 of <paramref name="model"/> on <paramref name="validation"/>.</summary>
    internal static EpochReport WithRanking(EpochReport report, FactorModel model, InteractionMatrix validation)
    {
        var metrics = RankingMetrics.Evaluate(model, validation);
        return report with { ValidationPrecision = metrics.Precision, ValidationNdcg = metrics.Ndcg };
    }

    private static double MeanLoss(EpochResult result) => result.Loss / Math.Max(1, result.Samples);
}
