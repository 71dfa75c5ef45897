using GpuMF.TopN;

namespace GpuMF.Models;

/// <summary>The <see cref="TopNProblem"/> behind each question a model answers in bulk.</summary>
internal static class TopNProblems
{
    /// <summary>Users against items, scored p_u·q_i + b_i; optionally without each user's training items.</summary>
    public static TopNProblem Recommendations(FactorModel model, bool filterSeen, bool[]? allowed) => new()
    {
        Queries = model.UserFactors,
        QueryCount = model.Users.Count,
        Candidates = model.ItemFactors,
        CandidateCount = model.Items.Count,
        Factors = model.Factors,
        CandidateBias = model.ItemBias,
        ExcludePtr = filterSeen ? model.SeenPtr : null,
        Excluded = filterSeen ? model.SeenItems : null,
        Allowed = allowed,
    };

    /// <summary>One folded-in user against the items, without the user's own items.</summary>
    public static TopNProblem Recommendations(FactorModel model, UserVector user) => new()
    {
        Queries = user.Factors,
        QueryCount = 1,
        Candidates = model.ItemFactors,
        CandidateCount = model.Items.Count,
        Factors = model.Factors,
        CandidateBias = model.ItemBias,
        ExcludePtr = [0, user.SeenItems.Length],
        Excluded = user.SeenItems,
    };

    /// <summary>Items against items by cosine, each item leaving itself out.</summary>
    public static TopNProblem SimilarItems(FactorModel model, bool[]? allowed) => new()
    {
        Queries = model.NormalizedItems,
        QueryCount = model.Items.Count,
        Candidates = model.NormalizedItems,
        CandidateCount = model.Items.Count,
        Factors = model.Factors,
        ExcludeSelf = true,
        Allowed = allowed,
    };

    /// <summary>One item's unit-length factors against the model's items by cosine; the item is not one of them, so nothing is left out.</summary>
    public static TopNProblem SimilarToVector(FactorModel model, float[] normalizedItem) => new()
    {
        Queries = normalizedItem,
        QueryCount = 1,
        Candidates = model.NormalizedItems,
        CandidateCount = model.Items.Count,
        Factors = model.Factors,
    };

    /// <summary>Users against users by cosine, each user leaving itself out.</summary>
    public static TopNProblem SimilarUsers(FactorModel model) => new()
    {
        Queries = model.NormalizedUsers,
        QueryCount = model.Users.Count,
        Candidates = model.NormalizedUsers,
        CandidateCount = model.Users.Count,
        Factors = model.Factors,
        ExcludeSelf = true,
    };
}
