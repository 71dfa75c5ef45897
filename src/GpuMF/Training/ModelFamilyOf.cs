using System.Text.Json;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>A <see cref="ModelFamily"/> whose options are the record <typeparamref name="TOptions"/>.</summary>
/// <typeparam name="TOptions">The family's options record.</typeparam>
internal abstract class ModelFamily<TOptions> : ModelFamily
    where TOptions : class
{
    public sealed override object DefaultOptions => Defaults;

    /// <summary>The options record's defaults.</summary>
    protected abstract TOptions Defaults { get; }

    public sealed override string ToJson(object options) => ToJson((TOptions)options);

    internal sealed override void Validate(object options) => Validate((TOptions)options);

    /// <exception cref="ArgumentException">The request carries features and the family does not train with them.</exception>
    internal sealed override FactorModel Train(object options, TrainingRequest request)
    {
        if (!SupportsFeatures && (request.UserFeatures is not null || request.ItemFeatures is not null))
        {
            throw new ArgumentException($"The {Name} model does not train with user or item features; bpr and warp do (hybrid models). Train without features, or choose one of those.", nameof(request));
        }
        return Train((TOptions)options, request);
    }

    internal sealed override UserFoldIn FoldIn(string optionsJson) => FoldIn(Stored(optionsJson));

    public sealed override object ReadOptions(string json) => Stored(json);

    internal sealed override FactorModel Update(FactorModel model, RatingTable interactions, UpdateOptions options, ComputeBackend backend) =>
        Update(model, Stored(model.OptionsJson), interactions, options, backend);

    /// <summary>The options a model stores, validated.</summary>
    /// <exception cref="InvalidDataException">They are not this family's, or are out of range.</exception>
    private TOptions Stored(string optionsJson)
    {
        TOptions? options;
        try
        {
            options = FromJson(optionsJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the stored {Name} options are not valid JSON ({e.Message})", e);
        }
        if (options is null)
        {
            throw new InvalidDataException($"the stored {Name} options are empty");
        }
        try
        {
            Validate(options);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"the stored {Name} options are out of range: {e.Message.Split('\n')[0]}", e);
        }
        return options;
    }

    protected abstract string ToJson(TOptions options);

    /// <summary>Reads options written by <see cref="ToJson(TOptions)"/>.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    protected abstract TOptions? FromJson(string json);

    protected abstract void Validate(TOptions options);

    protected abstract FactorModel Train(TOptions options, TrainingRequest request);

    protected abstract UserFoldIn FoldIn(TOptions options);

    protected abstract FactorModel Update(FactorModel model, TOptions options, RatingTable interactions, UpdateOptions update, ComputeBackend backend);
}
