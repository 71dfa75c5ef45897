namespace GpuMF.Training;

/// <summary>
/// Stopping when the validation metric stops improving, keeping the best epoch's model: the validation RMSE for
/// SVD, precision@10 for ALS, BPR and WARP, measured on the validation interactions given to <c>Fit</c> after
/// every epoch. Not kept in checkpoints: a resumed run starts tracking the best epoch afresh.
/// </summary>
/// <param name="Patience">Epochs (ALS: iterations) without improvement after which training stops, 1..10000.</param>
public sealed record EarlyStopping(int Patience)
{
    /// <summary>Throws when <see cref="Patience"/> is out of range; the message names it.</summary>
    public void Validate() => OptionRange.Require(Patience is >= 1 and <= 10000, nameof(Patience), Patience, "1..10000");
}
