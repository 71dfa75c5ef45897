using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// One model family's side of a training run, which <see cref="TrainingLoop"/> drives: the parameters in host
/// memory, the engine of each backend, how an epoch's result reads, and the model assembled from the
/// parameters.
/// </summary>
/// <typeparam name="TEngine">The family's engine.</typeparam>
internal abstract class TrainingRun<TEngine>(ModelKind kind, string optionsJson, int epochs, string unit, float learningRate, float learningRateDecay, InteractionMatrix train)
    where TEngine : ITrainingEngine
{
    private byte[]? _dataFingerprint;

    public ModelKind Kind { get; } = kind;

    public string OptionsJson { get; } = optionsJson;

    /// <summary>Epochs (ALS: iterations) of a whole run.</summary>
    public int Epochs { get; } = epochs;

    /// <summary>What an epoch is called in messages: "epochs" or "iterations".</summary>
    public string Unit { get; } = unit;

    /// <summary>The step size of the first epoch; ALS has none and gives 0.</summary>
    public float LearningRate { get; } = learningRate;

    /// <summary>The factor the step size is multiplied by after every epoch.</summary>
    public float LearningRateDecay { get; } = learningRateDecay;

    /// <summary>The training interactions, never empty.</summary>
    public InteractionMatrix Train { get; } = train.Count > 0 ? train : throw new ArgumentException("The training matrix holds no interactions.", nameof(train));

    /// <summary>The training data's fingerprint, which checkpoints carry; computed once.</summary>
    public byte[] DataFingerprint => _dataFingerprint ??= Train.Fingerprint();

    /// <summary>Copies a checkpoint's parameters (and optimiser state) into the host parameters; the checkpoint is known to be of this run.</summary>
    public abstract void Resume(FactorModel checkpoint);

    /// <summary>Makes the engine of whichever backend the run is on.</summary>
    public abstract IEngineFactory<TEngine> Engines { get; }

    /// <summary>Copies the engine's parameters into the host parameters.</summary>
    public abstract void CopyBack(TEngine engine);

    /// <summary>The model of the host parameters; a checkpoint when <paramref name="completedEpochs"/> ≥ 1.</summary>
    public abstract FactorModel Assemble(int completedEpochs);

    /// <summary>
    /// <paramref name="model"/>, an <see cref="Assemble"/> result, as a model that training going on cannot change: early
    /// stopping keeps it as the best epoch's. By default a copy, since a model may share the run's arrays.
    /// </summary>
    public virtual FactorModel Snapshot(FactorModel model) => model.Copy();

    /// <summary>The epoch's report, before validation.</summary>
    public abstract EpochReport Describe(int epoch, EpochResult result, TimeSpan elapsed, double seconds);

    /// <summary>What to try instead when <paramref name="result"/> shows training diverged; null while it has not.</summary>
    public abstract string? Divergence(EpochResult result, float learningRate);

    /// <summary>The report with the validation metric of <paramref name="model"/> on <paramref name="validation"/> filled in.</summary>
    public abstract EpochReport Validate(EpochReport report, FactorModel model, InteractionMatrix validation);
}
