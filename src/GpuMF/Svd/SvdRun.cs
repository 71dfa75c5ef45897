using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Svd;

/// <summary>SVD's side of the training loop: normal initial factors, zero biases, RMSE as the epoch's loss.</summary>
internal sealed class SvdRun : TrainingRun<ISgdEngine>
{
    private readonly SvdOptions _options;
    private readonly float[] _p;
    private readonly float[] _q;
    private readonly float[] _userBias;
    private readonly float[] _itemBias;
    private readonly SgdProblem _problem;

    public SvdRun(SvdOptions options, InteractionMatrix train, int ilgpuWarps, MpiCommunicator? communicator = null)
        : base(ModelKind.Svd, options.ToJson(), options.Epochs, "epochs", options.LearningRate, options.LearningRateDecay, train)
    {
        _options = options;
        _p = NormalFactors.Create(train.UserCount, options.Factors, options.InitStdDev, options.Seed, 1);
        _q = NormalFactors.Create(train.ItemCount, options.Factors, options.InitStdDev, options.Seed, 2);
        _userBias = new float[train.UserCount];
        _itemBias = new float[train.ItemCount];
        _problem = SgdProblem.Shuffled(train, options, _p, _q, _userBias, _itemBias);
        Engines = communicator is null ? new SgdEngineFactory(_problem, ilgpuWarps) : new MpiSgdEngineFactory(_problem, communicator);
    }

    public override IEngineFactory<ISgdEngine> Engines { get; }

    public override void Resume(FactorModel checkpoint)
    {
        checkpoint.UserFactors.CopyTo(_p, 0);
        checkpoint.ItemFactors.CopyTo(_q, 0);
        checkpoint.UserBias!.CopyTo(_userBias, 0);
        checkpoint.ItemBias!.CopyTo(_itemBias, 0);
    }

    public override void CopyBack(ISgdEngine engine) => engine.CopyTo(_p, _q, _userBias, _itemBias);

    public override FactorModel Assemble(int completedEpochs) =>
        new(ModelKind.Svd, Train.Users.ToReadOnly(Train.UserCount), Train.Items.ToReadOnly(Train.ItemCount), _options.Factors, _p, _q, _userBias, _itemBias, _problem.Mean, Train.UserPtr, Train.UserItems, OptionsJson)
        {
            CompletedEpochs = completedEpochs,
            FoldIn = new SvdUserFoldIn(_options),
            DataFingerprint = completedEpochs > 0 ? DataFingerprint : null,
        };

    public override EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds) =>
        new(epoch + 1, Epochs, Rmse(result), null, elapsed, Train.Count / Math.Max(seconds, 1e-9)) { Updates = Train.Count };

    public override string? Divergence(EpochResult result, float learningRate) =>
        double.IsFinite(Rmse(result)) ? null : $"Try a smaller learning rate than {learningRate} (--lr), or a larger regularization.";

    public override EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation) =>
        report with { ValidationRmse = RatingMetrics.Evaluate(model, validation).Rmse };

    private double Rmse(EpochResult result) => Math.Sqrt(result.Loss / Train.Count);
}
