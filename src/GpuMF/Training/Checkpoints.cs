using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Training;

/// <summary>What every trainer does alike with checkpoints: when one is due, and whether a model may be resumed from.</summary>
internal static class Checkpoints
{
    /// <summary>
    /// True when <paramref name="options"/> asks for a checkpoint after <paramref name="completed"/> of
    /// <paramref name="total"/> epochs; never after the last, since the finished model follows.
    /// </summary>
    public static bool Due(CheckpointOptions? options, int completed, int total) =>
        options is { } c && completed % c.Every == 0 && completed < total;

    /// <summary>
    /// Throws unless <paramref name="checkpoint"/> was written by this very training: the same model kind,
    /// options and data, and fewer completed <paramref name="unit"/> than the run has.
    /// </summary>
    /// <exception cref="ArgumentException">It was not; the message says why.</exception>
    public static void CheckResumable(FactorModel checkpoint, ModelKind kind, string optionsJson, int total, string unit, InteractionMatrix train)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        string? problem =
            checkpoint.Kind != kind ? $"it is a {checkpoint.Kind} model"
            : checkpoint.CompletedEpochs < 1 ? "it is a finished model, not a checkpoint"
            : checkpoint.CompletedEpochs >= total ? $"it has {checkpoint.CompletedEpochs} {unit}, the run only {total}"
            : checkpoint.OptionsJson != optionsJson ? "it was written with other options"
            : !SameIds(checkpoint.Users, train.Users, train.UserCount) || !SameIds(checkpoint.Items, train.Items, train.ItemCount) ? "it was trained on other data"
            : checkpoint.DataFingerprint is { } fingerprint && !fingerprint.AsSpan().SequenceEqual(train.Fingerprint()) ? "it was trained on other data (the same ids, but other interactions, values or order)"
            : null;
        if (problem is not null)
        {
            throw new ArgumentException($"Cannot resume from this checkpoint: {problem}.", "resumeFrom");
        }
    }

    /// <summary>True when <paramref name="saved"/> holds exactly the first <paramref name="count"/> ids of <paramref name="map"/>, of the same kind.</summary>
    private static bool SameIds(IdMap saved, IdMap map, int count) =>
        saved.Kind == map.Kind && (saved.Kind == IdKind.Text
            ? saved.Names.SequenceEqual(map.Names.Take(count), StringComparer.Ordinal)
            : saved.Ids.SequenceEqual(map.Ids.Take(count)));
}
