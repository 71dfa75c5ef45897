using System.Text.Json;
using GpuMF.Models;

namespace GpuMF.Pairwise;

/// <summary>
/// Options of Bayesian personalised ranking (Rendle, Freudenthaler, Gantner, Schmidt-Thieme, UAI 2009):
/// score(u, i) = p_u·q_i + b_i, trained by SGD on sampled triples (u, i, j) — (u, i) an observed pair,
/// j an item drawn uniformly — to maximise Σ ln σ(score(u, i) − score(u, j)) − λ‖θ‖². An epoch visits
/// every observed pair once, in a fresh random order (so each (u, i) is uniform over the pairs, as in
/// Rendle et al.'s bootstrap, without repeats within an epoch), with one negative drawn for each.
/// Every default lives in <see cref="Defaults"/>.
/// </summary>
public sealed record BprOptions : PairwiseOptions
{
    /// <summary>Options at their defaults.</summary>
    public BprOptions()
        : base(20, 0.1f, 0.01f)
    {
    }

    /// <summary>
    /// The defaults, chosen on a validation split carved from the ML-1M implicit training split (a random
    /// fifth of each user's positives held out): adagrad beat constant steps, rejecting observed
    /// negatives and the item bias each added about 0.006 to validation precision@10, and 20 epochs at
    /// η = 0.1 came within 0.006 of 30 in two thirds of the time.
    /// </summary>
    public static BprOptions Defaults { get; } = new();

    /// <summary>
    /// Redraw j while it is one of the user's observed items (implicit's verify_negative_samples), up to
    /// 32 draws, after which the triple is skipped. Default true.
    /// </summary>
    public bool RejectObservedNegatives { get; init; } = true;

    /// <summary>Throws when an option lies outside its range; the message names it.</summary>
    public override void Validate()
    {
        base.Validate();
    }

    /// <summary>The options as JSON, as stored in model files.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    internal override PairwiseSettings ToSettings() =>
        new(ModelKind.Bpr, Factors, Epochs, LearningRate, Schedule, LearningRateDecay, Regularization, ItemBias, RejectObservedNegatives, 1, InitStdDev, Seed, ToJson());
}
