using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>
/// One model family as everything above the trainers sees it (the console host's commands and help, the
/// benchmarks, quickstart, model loading): its name, its options and their defaults, how it trains, and how a
/// saved model of it folds users in. The registry of families is <c>GpuMF.ModelRegistry</c>.
/// </summary>
public abstract class ModelFamily
{
    /// <summary>The kind stored in model files.</summary>
    public abstract ModelKind Kind { get; }

    /// <summary>The name on the command line ("svd").</summary>
    public abstract string Name { get; }

    /// <summary>One line on what the model is and what it trains on.</summary>
    public abstract string Summary { get; }

    /// <summary>True when the model trains on implicit positives (each kept row a positive of value 1), false for explicit ratings.</summary>
    public abstract bool TrainsOnPositives { get; }

    /// <summary>True when its ILGPU engine updates lock-free, so the warps in flight (<c>--device-warps</c>) matter.</summary>
    public abstract bool LockFree { get; }

    /// <summary>
    /// True when the family trains with user and item features (<c>TrainingRequest.UserFeatures</c>, <c>ItemFeatures</c>):
    /// BPR and WARP. The others refuse a request that carries features rather than drop them.
    /// </summary>
    public virtual bool SupportsFeatures => false;

    /// <summary>What one pass of training is called: "epochs" or "iterations".</summary>
    public abstract string EpochUnit { get; }

    /// <summary>The options the console host reads, in the order help lists them.</summary>
    public abstract IReadOnlyList<ModelOption> Options { get; }

    /// <summary>
    /// What <see cref="Tuner"/> searches for this family (the training length excepted: the tuner sets the option named
    /// by <see cref="EpochUnit"/> itself, cheap trials first); empty for a family that cannot be tuned.
    /// </summary>
    public virtual IReadOnlyList<SearchDimension> SearchSpace => [];

    /// <summary>The family's default options record.</summary>
    public abstract object DefaultOptions { get; }

    /// <summary>The options record with every option given set, validated.</summary>
    /// <param name="valueOf">The text of an option by name; null for a bare flag.</param>
    /// <param name="given">Whether an option was given at all (a bare flag has no text).</param>
    /// <param name="start">The options record the given options change: <see cref="DefaultOptions"/> when null (default), or one read by <see cref="ReadOptions"/>.</param>
    /// <exception cref="ArgumentException">A value is not of the option's type or out of its range; the message names the option as typed (<c>--factors</c>).</exception>
    public object Bind(Func<string, string?> valueOf, Func<string, bool> given, object? start = null)
    {
        ArgumentNullException.ThrowIfNull(valueOf);
        ArgumentNullException.ThrowIfNull(given);
        object options = start ?? DefaultOptions;
        foreach (var option in Options)
        {
            if (given(option.Name))
            {
                options = option.Apply(options, valueOf(option.Name));
            }
        }
        try
        {
            Validate(options);
        }
        catch (ArgumentOutOfRangeException e) when (Options.FirstOrDefault(o => o.Property == e.ParamName) is { } option)
        {
            // The range message names the C# property; the console host's user typed the option.
            string text = e.Message.Split('\n')[0];
            int cut = text.IndexOf(" (Parameter", StringComparison.Ordinal);
            text = cut >= 0 ? text[..cut] : text;
            throw new ArgumentException(text.StartsWith(option.Property, StringComparison.Ordinal) ? "--" + option.Name + text[option.Property.Length..] : text, e);
        }
        return options;
    }

    /// <summary>The options as JSON, as model files store them.</summary>
    public abstract string ToJson(object options);

    /// <summary>
    /// Reads options written by <see cref="ToJson"/> (a model's, or the best found by <see cref="Tuner"/>), validated;
    /// properties the JSON leaves out keep their defaults.
    /// </summary>
    /// <exception cref="InvalidDataException">The text is not this family's options as JSON, or an option is out of range; the message says which.</exception>
    public abstract object ReadOptions(string json);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the property when an option is out of range.</summary>
    internal abstract void Validate(object options);

    /// <summary>Trains a model of this family.</summary>
    internal abstract FactorModel Train(object options, TrainingRequest request);

    /// <summary>The model grown by new interactions (see <c>model.Update</c>).</summary>
    internal abstract FactorModel Update(FactorModel model, RatingTable interactions, UpdateOptions options, ComputeBackend backend);

    /// <summary>The fold-in rule of a saved model of this family, whose options are <paramref name="optionsJson"/>.</summary>
    /// <exception cref="InvalidDataException">The options are not this family's, or are out of range.</exception>
    internal abstract UserFoldIn FoldIn(string optionsJson);
}
