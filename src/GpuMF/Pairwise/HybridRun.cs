using System.Numerics.Tensors;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Pairwise;

/// <summary>
/// BPR's and WARP's side of the training loop when users or items are described by features (Kula 2015): the
/// parameters are embedding tables over feature columns (normal with the options' init-std, seeded as the plain
/// model's user and item factors, so that identity columns start where a plain model's rows start), item feature
/// biases at 0 and adagrad sums at 1; the model holds the composed p_u = Σ w·e, q_i = Σ w·e and b_i = Σ w·b of the
/// training entities, and the named features' embeddings (<see cref="FactorModel.UserFeatures"/>,
/// <see cref="FactorModel.ItemFeatures"/>). Checkpoints are not written: a model file keeps neither the identity
/// embeddings nor the adagrad sums that training would continue from.
/// </summary>
internal sealed class HybridRun : TrainingRun<HybridEngine>
{
    private readonly PairwiseSettings _settings;
    private readonly HybridProblem _problem;

    public HybridRun(PairwiseSettings settings, InteractionMatrix train, FeatureMatrix userSide, FeatureMatrix itemSide, int ilgpuWarps)
        : base(settings.Kind, settings.OptionsJson, settings.Epochs, "epochs", settings.LearningRate, settings.LearningRateDecay, train)
    {
        _settings = settings;
        PairwiseRun.RequireNegatives(settings.Kind, train);
        _problem = CreateProblem(settings, train, userSide, itemSide);
        Engines = new HybridEngineFactory(_problem, ilgpuWarps);
    }

    public override IEngineFactory<HybridEngine> Engines { get; }

    /// <summary>
    /// Trains BPR or WARP on <paramref name="train"/>, with features where given: a side that is null or
    /// <see cref="FeatureMatrix.IsIdentityOnly"/> is a plain model's side, and when both are, the plain run trains
    /// (<see cref="PairwiseRun"/>, with checkpoints and resuming); otherwise this run does.
    /// </summary>
    /// <exception cref="ArgumentException">A feature matrix's rows are not the training data's users or items, or
    /// features that need the hybrid run come with checkpoints or a checkpoint to resume from.</exception>
    public static FactorModel Fit(
        PairwiseSettings settings,
        InteractionMatrix train,
        FeatureMatrix? userFeatures,
        FeatureMatrix? itemFeatures,
        int ilgpuWarps,
        ComputeBackend? backend,
        InteractionMatrix? validation,
        IProgress<EpochReport>? progress,
        CancellationCheck cancellation,
        CheckpointOptions? checkpoint,
        FactorModel? resumeFrom,
        EarlyStopping? earlyStopping,
        MpiCommunicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        RequireShape(userFeatures, train.UserCount, "user", "UserFeatures");
        RequireShape(itemFeatures, train.ItemCount, "item", "ItemFeatures");
        userFeatures = WithSharedWeight(userFeatures, settings.Kind);
        itemFeatures = WithSharedWeight(itemFeatures, settings.Kind);
        if (userFeatures is not { IsIdentityOnly: false } && itemFeatures is not { IsIdentityOnly: false })
        {
            if (communicator is not null && backend is { IsIlgpu: true })
            {
                throw new ArgumentException($"{settings.Kind} across MPI ranks runs on the managed CPU backend, not on {backend.DeviceName}.", nameof(backend));
            }
            return TrainingLoop.Run(new PairwiseRun(settings, train, ilgpuWarps, communicator), backend, validation, progress, cancellation, checkpoint, resumeFrom, earlyStopping);
        }
        if (communicator is not null)
        {
            throw new ArgumentException("Training with user or item features runs in one process: the feature rows are shared by every rank's users and items, which stratified SGD across ranks cannot keep apart. Train without a communicator.", nameof(communicator));
        }
        if (checkpoint is not null)
        {
            throw new ArgumentException("Checkpoints are not written when training with user or item features: a model file keeps the composed factors and the named features' embeddings, but not the identity embeddings and adagrad sums that training would continue from. Train without checkpoints.", nameof(checkpoint));
        }
        if (resumeFrom is not null)
        {
            throw new ArgumentException("Cannot resume training with user or item features from a checkpoint: such training writes none, and a plain model's checkpoint holds no feature embeddings.", nameof(resumeFrom));
        }
        var run = new HybridRun(settings, train, userFeatures ?? Identity(train.UserCount), itemFeatures ?? Identity(train.ItemCount), ilgpuWarps);
        return TrainingLoop.Run(run, backend, validation, progress, cancellation, null, null, earlyStopping);
    }

    /// <summary>The parameters before training: normal embeddings seeded per side, zero biases, adagrad sums at 1.</summary>
    public static HybridProblem CreateProblem(PairwiseSettings settings, InteractionMatrix train, FeatureMatrix userSide, FeatureMatrix itemSide)
    {
        int k = settings.Factors;
        float[]? Ones(long length) => settings.Adagrad ? Enumerable.Repeat(1f, checked((int)length)).ToArray() : null;
        return new HybridProblem(
            train.EntryUsers(),
            train.UserItems,
            train.UserPtr,
            train.UserItems,
            userSide,
            itemSide,
            NormalFactors.Create(userSide.ColumnCount, k, settings.InitStdDev, settings.Seed, 1),
            NormalFactors.Create(itemSide.ColumnCount, k, settings.InitStdDev, settings.Seed, 2),
            new float[itemSide.ColumnCount],
            Ones((long)userSide.ColumnCount * k),
            Ones((long)itemSide.ColumnCount * k),
            Ones(itemSide.ColumnCount),
            settings);
    }

    /// <summary>
    /// The factor on named features beside identity features when the rows leave it to the model
    /// (<see cref="FeatureMatrix.NamedScale"/> null): 0.02 for WARP on weights as given, whose rank-weighted steps
    /// make shared rows jitter (on ML-1M it brings identity + genres from P@10 0.2965 to plain WARP's 0.3061); 1 for
    /// WARP on rows scaled to sum to 1, which already carry the features at a fraction of their weight (P@10 0.2741
    /// at 0.02 against 0.2818 at 1), and for BPR, which lost at 0.02 (<see cref="FeatureOptions.SharedWeight"/>).
    /// </summary>
    public static float DefaultSharedWeight(ModelKind kind, bool normalized) => kind == ModelKind.Warp && !normalized ? 0.02f : 1f;

    /// <summary>The identity features of <paramref name="count"/> entities: entity e is column e with weight 1.</summary>
    public static FeatureMatrix Identity(int count)
    {
        var columns = Enumerable.Range(0, count).ToArray();
        return new FeatureMatrix(new IdMap(IdKind.Text), count, [.. columns, count], columns, Enumerable.Repeat(1f, count).ToArray()) { Normalized = true };
    }

    /// <exception cref="ArgumentException">Always: training with features writes no checkpoints to resume from.</exception>
    public override void Resume(FactorModel checkpoint) =>
        throw new ArgumentException("Cannot resume training with user or item features from a checkpoint.", "resumeFrom");

    public override void CopyBack(HybridEngine engine) => engine.CopyTo(_problem);

    /// <summary>
    /// The model: each training user's p_u = Σ w·e and item's q_i = Σ w·e (and b_i = Σ w·b with item biases) composed
    /// from the tables, and, for each side with named features, their embeddings (rows IdentityCount … of the table)
    /// and, for items with biases, their biases. Every array is new, so the model does not change as training goes on.
    /// </summary>
    public override FactorModel Assemble(int completedEpochs)
    {
        int k = _settings.Factors;
        var users = _problem.UserSide;
        var items = _problem.ItemSide;
        return new(_settings.Kind, Train.Users.ToReadOnly(Train.UserCount), Train.Items.ToReadOnly(Train.ItemCount), k,
            Compose(users, _problem.UserEmbeddings, k), Compose(items, _problem.ItemEmbeddings, k), null,
            _settings.ItemBias ? Compose(items, _problem.ItemBiases, 1) : null, 0f, Train.UserPtr, Train.UserItems, OptionsJson)
        {
            CompletedEpochs = completedEpochs,
            FoldIn = new PairwiseUserFoldIn(_settings),
            UserFeatures = Named(users, _problem.UserEmbeddings, null, k),
            ItemFeatures = Named(items, _problem.ItemEmbeddings, _settings.ItemBias ? _problem.ItemBiases : null, k),
        };
    }

    /// <summary>The model as it is: <see cref="Assemble"/> builds every array anew.</summary>
    public override FactorModel Snapshot(FactorModel model) => model;

    public override EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds) => PairwiseRun.Report(Kind, Epochs, epoch, result, elapsed, seconds);

    public override string? Divergence(EpochResult result, float learningRate) => PairwiseRun.DivergenceAdvice(result, learningRate);

    public override EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation) => PairwiseRun.WithRanking(report, model, validation);

    /// <summary>The rows with the model's factor on their named features when they leave it to the model; else as they are.</summary>
    private static FeatureMatrix? WithSharedWeight(FeatureMatrix? side, ModelKind kind) =>
        side is { NamedScale: null } ? side.ScaleNamed(DefaultSharedWeight(kind, side.Normalized)) : side;

    private static void RequireShape(FeatureMatrix? features, int count, string side, string name)
    {
        if (features is not null && features.RowCount != count)
        {
            throw new ArgumentException($"The {side} features have {features.RowCount} rows, but the training data has {count} {side}s: build them in the training data's {side} index space, one row per {side}.", name);
        }
    }

    /// <summary>Row e of the result = Σ w·table row c over e's entries (c, w), rows of <paramref name="width"/> values.</summary>
    private static float[] Compose(FeatureMatrix side, float[] table, int width)
    {
        var result = new float[(long)side.RowCount * width];
        for (int e = 0; e < side.RowCount; e++)
        {
            var target = result.AsSpan(e * width, width);
            var columns = side.ColumnsOf(e);
            var weights = side.WeightsOf(e);
            for (int n = 0; n < columns.Length; n++)
            {
                TensorPrimitives.MultiplyAdd(table.AsSpan(columns[n] * width, width), weights[n], target, target);
            }
        }
        return result;
    }

    /// <summary>The named features' embeddings (and biases) of a side, multiplied by its <see cref="FeatureMatrix.NamedScale"/>, or null when it has none.</summary>
    private static FeatureEmbeddings? Named(FeatureMatrix side, float[] table, float[]? biases, int k)
    {
        if (side.Names.Count == 0)
        {
            return null;
        }
        int first = side.IdentityCount;
        var vectors = table.AsSpan(first * k, side.Names.Count * k).ToArray();
        var named = biases?.AsSpan(first, side.Names.Count).ToArray();
        if (side.NamedScale is { } factor and not 1f)
        {
            TensorPrimitives.Multiply(vectors, factor, vectors);
            if (named is not null)
            {
                TensorPrimitives.Multiply(named, factor, named);
            }
        }
        return new FeatureEmbeddings(side.Names, k, vectors, named, side.Normalized);
    }
}
