using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>Why a model recommends an item to a user: the user's own items that weigh most, best first.</summary>
/// <param name="Reasons">The user's items (external ids) with their weight, largest first.</param>
/// <param name="Exact">
/// True when the weights are the item's score taken apart (ALS: the score is the sum of every item's weight, Hu,
/// Koren, Volinsky 2008, §5); false when they are the cosine similarity of the user's items to the recommended one,
/// the honest reading available for the models whose scores do not decompose over the user's items.
/// </param>
public sealed record Explanation(IReadOnlyList<ScoredItem> Reasons, bool Exact);
