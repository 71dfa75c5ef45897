using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Evaluation;
using GpuMF.Models;
using GpuMF.Mpi;
using GpuMF.Training;

namespace GpuMF.Als;

/// <summary>ALS's side of the training loop: normal initial factors, one epoch per iteration, no step size.</summary>
internal sealed class AlsRun : TrainingRun<IAlsEngine>
{
    private readonly AlsOptions _options;
    private readonly float[] _x;
    private readonly float[] _y;
    private readonly double _totalWeight;

    public AlsRun(AlsOptions options, InteractionMatrix train, MpiCommunicator? communicator = null)
        : base(ModelKind.Als, options.ToJson(), options.Iterations, "iterations", 0f, 1f, train)
    {
        _options = options;
        _x = NormalFactors.Create(train.UserCount, options.Factors, options.InitStdDev, options.Seed, 1);
        _y = NormalFactors.Create(train.ItemCount, options.Factors, options.InitStdDev, options.Seed, 2);
        var problem = AlsProblem.Create(train, _x, _y, options);
        _totalWeight = options.ComputeLoss ? problem.TotalWeight : 1;
        Engines = communicator is null ? new AlsEngineFactory(problem) : new MpiAlsEngineFactory(problem, communicator);
    }

    public override IEngineFactory<IAlsEngine> Engines { get; }

    public override void Resume(FactorModel checkpoint)
    {
        checkpoint.UserFactors.CopyTo(_x, 0);
        checkpoint.ItemFactors.CopyTo(_y, 0);
    }

    public override void CopyBack(IAlsEngine engine) => engine.CopyTo(_x, _y);

    public override FactorModel Assemble(int completedEpochs) =>
        new(ModelKind.Als, Train.Users.ToReadOnly(Train.UserCount), Train.Items.ToReadOnly(Train.ItemCount), _options.Factors, _x, _y, null, null, 0f, Train.UserPtr, Train.UserItems, OptionsJson)
        {
            CompletedEpochs = completedEpochs,
            DataFingerprint = completedEpochs > 0 ? DataFingerprint : null,
            FoldIn = new AlsUserFoldIn(_options),
        };

    public override EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds) =>
        new(epoch + 1, Epochs, _options.ComputeLoss ? result.Loss / _totalWeight : double.NaN, null, elapsed, result.Samples / Math.Max(seconds, 1e-9))
        {
            Updates = result.Samples,
        };

    public override string? Divergence(EpochResult result, float learningRate) =>
        result.Diverged ? $"Try a larger regularization than {_options.Regularization} (--reg) or a smaller alpha than {_options.Alpha} (--alpha)." : null;

    public override EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation)
    {
        var metrics = RankingMetrics.Evaluate(model, validation);
        return report with { ValidationPrecision = metrics.Precision, ValidationNdcg = metrics.Ndcg };
    }
}
