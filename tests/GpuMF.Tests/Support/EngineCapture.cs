using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;
using GpuMF.Pairwise;
using GpuMF.Svd;
using GpuMF.Training;

namespace GpuMF.Tests.Support;

/// <summary>
/// A training run that keeps the engine its backend makes, so that a test can ask the engine how it ran
/// (how many warps an ILGPU engine launched); everything else is the wrapped run's.
/// </summary>
/// <param name="run">The run, as its trainer makes it.</param>
internal sealed class EngineCapture<TEngine>(TrainingRun<TEngine> run)
    : TrainingRun<TEngine>(run.Kind, run.OptionsJson, run.Epochs, run.Unit, run.LearningRate, run.LearningRateDecay, run.Train)
    where TEngine : ITrainingEngine
{
    public TEngine? Engine { get; private set; }

    public override IEngineFactory<TEngine> Engines => new Capturing(this, run.Engines);

    public override void Resume(FactorModel checkpoint) => run.Resume(checkpoint);

    public override void CopyBack(TEngine engine) => run.CopyBack(engine);

    public override FactorModel Assemble(int completedEpochs) => run.Assemble(completedEpochs);

    public override EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds) => run.Describe(epoch, result, elapsed, seconds);

    public override string? Divergence(EpochResult result, float learningRate) => run.Divergence(result, learningRate);

    public override EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation) => run.Validate(report, model, validation);

    private sealed class Capturing(EngineCapture<TEngine> owner, IEngineFactory<TEngine> engines) : IEngineFactory<TEngine>
    {
        public TEngine ForManagedCpu(int threads) => owner.Engine = engines.ForManagedCpu(threads);

        public TEngine ForIlgpu(ComputeBackend backend) => owner.Engine = engines.ForIlgpu(backend);
    }
}

/// <summary>SGD training with a given number of ILGPU warps, reporting how many the engine launched.</summary>
internal static class RacingFit
{
    /// <summary>
    /// Trains <paramref name="model"/> (svd, bpr, warp) with the default options but for the factors and
    /// epochs, through the training loop as its trainer does, with <paramref name="warps"/> ILGPU warps.
    /// </summary>
    /// <returns>The model, and the warps each launch ran (0 on the managed CPU backend).</returns>
    public static (FactorModel Model, int Warps) Fit(string model, ComputeBackend backend, InteractionMatrix data, int factors, int epochs, int warps) => model switch
    {
        "svd" => Run(new SvdRun(SvdOptions.Defaults with { Factors = factors, Epochs = epochs }, data, warps), backend),
        "bpr" => Run(new PairwiseRun((BprOptions.Defaults with { Factors = factors, Epochs = epochs }).ToSettings(), data, warps), backend),
        "warp" => Run(new PairwiseRun((WarpOptions.Defaults with { Factors = factors, Epochs = epochs }).ToSettings(), data, warps), backend),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    private static (FactorModel, int) Run<TEngine>(TrainingRun<TEngine> run, ComputeBackend backend)
        where TEngine : ITrainingEngine
    {
        var capture = new EngineCapture<TEngine>(run);
        var model = TrainingLoop.Run(capture, backend, null, null, default, null, null);
        int warps = capture.Engine switch
        {
            IlgpuSgdEngine sgd => sgd.Warps,
            IlgpuPairwiseEngine pairwise => pairwise.Warps,
            _ => 0,
        };
        return (model, warps);
    }
}
