using GpuMF.Data;

namespace GpuMF.Training;

/// <summary>How <c>model.Update(…)</c> folds new interactions into a trained model. Every default lives in <see cref="Defaults"/>.</summary>
public sealed record UpdateOptions
{
    /// <summary>The defaults.</summary>
    public static UpdateOptions Defaults { get; } = new();

    /// <summary>
    /// SVD, BPR and WARP: epochs of the model's own loss over the new interactions only, 1..1000 (BPR and WARP
    /// replay some of the model's own positives for new items during the first 3 of them at most). Default 5: on
    /// ML-1M a new user's row, drawn small, reaches its quality within a few passes, while more passes over a
    /// few interactions overfit the items they touch.
    /// </summary>
    public int Epochs { get; init; } = 5;

    /// <summary>
    /// ALS: after re-solving the rows the new interactions touch, run this many full iterations over every row,
    /// 0..1000. Default 0 (none: the touched rows are exact against the rest, and the rest is left as trained).
    /// </summary>
    public int FullSweeps { get; init; }

    /// <summary>What to do with a (user, item) pair that occurs more than once in the new interactions, or that the model has seen. Default <see cref="DuplicatePolicy.Sum"/>.</summary>
    public DuplicatePolicy Duplicates { get; init; } = DuplicatePolicy.Sum;

    /// <summary>Seed of the new rows' initial factors and of the epochs' order and samples. Default 7.</summary>
    public ulong Seed { get; init; } = 7;

    /// <summary>Throws when an option lies outside its range; the message names it.</summary>
    public void Validate()
    {
        OptionRange.Require(Epochs is >= 1 and <= 1000, nameof(Epochs), Epochs, "1..1000");
        OptionRange.Require(FullSweeps is >= 0 and <= 1000, nameof(FullSweeps), FullSweeps, "0..1000");
        OptionRange.Require(Enum.IsDefined(Duplicates), nameof(Duplicates), Duplicates, "Reject, Sum or KeepLast");
    }
}
