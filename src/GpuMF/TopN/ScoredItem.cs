namespace GpuMF.TopN;

/// <summary>An item (or user) by external id with its score: a predicted preference, or a cosine similarity.</summary>
/// <param name="Id">External id.</param>
/// <param name="Score">Higher is better.</param>
public readonly record struct ScoredItem(long Id, float Score);
