using GpuMF.Data;

namespace GpuMF.Als;

/// <summary>
/// What an ALS engine trains: the interactions as CSR by user and by item with each entry's confidence
/// c ≥ 1 (computed once), and the factor matrices, updated in place.
/// </summary>
internal sealed record AlsProblem(
    int UserCount,
    int ItemCount,
    int[] UserPtr,
    int[] UserItems,
    float[] UserConfidence,
    int[] ItemPtr,
    int[] ItemUsers,
    float[] ItemConfidence,
    float[] UserFactors,
    float[] ItemFactors,
    AlsOptions Options)
{
    /// <summary>Σ c over the observed pairs plus 1 for each unobserved pair: the objective's total weight.</summary>
    public double TotalWeight
    {
        get
        {
            double sum = 0;
            foreach (float c in UserConfidence)
            {
                sum += c;
            }
            return sum + ((double)UserCount * ItemCount - UserItems.Length);
        }
    }

    /// <summary>Builds the problem for <paramref name="matrix"/>, whose values must be positive and finite.</summary>
    /// <exception cref="ArgumentException">A value is not positive; the message names the pair.</exception>
    public static AlsProblem Create(InteractionMatrix matrix, float[] userFactors, float[] itemFactors, AlsOptions options)
    {
        for (int u = 0; u < matrix.UserCount; u++)
        {
            var items = matrix.ItemsOf(u);
            var values = matrix.ValuesOf(u);
            for (int n = 0; n < values.Length; n++)
            {
                if (!(values[n] > 0) || !float.IsFinite(values[n]))
                {
                    throw new ArgumentException($"ALS needs positive interaction values (counts, ratings or 1 for a positive); user {matrix.Users.Text(u)}, item {matrix.Items.Text(items[n])} has {values[n]}.", nameof(matrix));
                }
            }
        }
        return new AlsProblem(
            matrix.UserCount,
            matrix.ItemCount,
            matrix.UserPtr,
            matrix.UserItems,
            Confidences(matrix.UserValues, options),
            matrix.ItemPtr,
            matrix.ItemUsers,
            Confidences(matrix.ItemValues, options),
            userFactors,
            itemFactors,
            options);
    }

    /// <summary>The CSR of <paramref name="side"/> and the factors of both sides: (solved rows, other rows).</summary>
    public (int Rows, int[] Ptr, int[] Idx, float[] Confidence, float[] Factors, int OtherRows, float[] Other) Of(AlsSide side) => side == AlsSide.Users
        ? (UserCount, UserPtr, UserItems, UserConfidence, UserFactors, ItemCount, ItemFactors)
        : (ItemCount, ItemPtr, ItemUsers, ItemConfidence, ItemFactors, UserCount, UserFactors);

    private static float[] Confidences(float[] values, AlsOptions options)
    {
        var c = new float[values.Length];
        for (int n = 0; n < values.Length; n++)
        {
            c[n] = options.ConfidenceOf(values[n]);
        }
        return c;
    }
}
