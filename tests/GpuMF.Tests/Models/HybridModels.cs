using GpuMF.Data;
using GpuMF.Models;

namespace GpuMF.Tests.Models;

/// <summary>
/// A tiny hybrid BPR model made by hand, small enough to check every answer by hand: two factors, three users, four
/// items with biases, and three named features a side.
/// <code>
/// users  ann (1, 0)   bob (0, 1)   cy (1, 1)              seen: ann i1, cy i2
/// items  i1 (1, 0) +0.1   i2 (0, 1) +0.2   i3 (-1, 0) +0   i4 (0.5, 0.5) -0.1
/// user features  age=25-34 (2, 0)   gender=F (0, 4)   occupation=programmer (1, 1)
/// item features  genre=Animation (3, 0) +0.5   genre=Children's (0, 2) -0.5   keyword=zoë,space (-1, 1) +1
/// </code>
/// </summary>
internal static class HybridModels
{
    public static readonly string[] UserFeatureNames = ["age=25-34", "gender=F", "occupation=programmer"];

    public static readonly string[] ItemFeatureNames = ["genre=Animation", "genre=Children's", "keyword=zoë,space"];

    /// <summary>The model; integer ids are users 1, 2, 3 and items 101..104 in the same order.</summary>
    public static FactorModel Tiny(bool userNormalized = true, bool itemNormalized = true, IdKind ids = IdKind.Text, bool userFeatures = true, bool itemFeatures = true) =>
        new(
            ModelKind.Bpr,
            ids == IdKind.Text ? new IdMap(["ann", "bob", "cy"]) : new IdMap([1L, 2L, 3L]),
            ids == IdKind.Text ? new IdMap(["i1", "i2", "i3", "i4"]) : new IdMap([101L, 102L, 103L, 104L]),
            2,
            [1f, 0f, 0f, 1f, 1f, 1f],
            [1f, 0f, 0f, 1f, -1f, 0f, 0.5f, 0.5f],
            null,
            [0.1f, 0.2f, 0f, -0.1f],
            0f,
            [0, 1, 1, 2],
            [0, 1],
            "{\"Factors\":2}")
        {
            UserFeatures = userFeatures ? new FeatureEmbeddings(new IdMap(UserFeatureNames), 2, [2f, 0f, 0f, 4f, 1f, 1f], null, userNormalized) : null,
            ItemFeatures = itemFeatures ? new FeatureEmbeddings(new IdMap(ItemFeatureNames), 2, [3f, 0f, 0f, 2f, -1f, 1f], [0.5f, -0.5f, 1f], itemNormalized) : null,
        };

    /// <summary>Feature rows for feature-only entities, in the model's feature order, no identity columns.</summary>
    public static FeatureMatrix Rows(string[] names, bool normalized, params (int Feature, float Weight)[][] rows)
    {
        var ptr = new int[rows.Length + 1];
        for (int e = 0; e < rows.Length; e++)
        {
            ptr[e + 1] = ptr[e] + rows[e].Length;
        }
        return new FeatureMatrix(new IdMap(names), 0, ptr, [.. rows.SelectMany(r => r.Select(x => x.Feature))], [.. rows.SelectMany(r => r.Select(x => x.Weight))])
        {
            Normalized = normalized,
        };
    }
}
