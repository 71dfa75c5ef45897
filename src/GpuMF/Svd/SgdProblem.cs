using GpuMF.Data;

namespace GpuMF.Svd;

/// <summary>What an SGD engine trains: the rating triples in their fixed base order and the initial parameters.</summary>
internal sealed record SgdProblem(
    int[] Users,
    int[] Items,
    float[] Ratings,
    int UserCount,
    int ItemCount,
    float[] P,
    float[] Q,
    float[] UserBias,
    float[] ItemBias,
    float Mean,
    SvdOptions Options)
{
    /// <summary>
    /// The ratings of <paramref name="train"/> in the base order the seed fixes (a permutation of the stored
    /// order, so that lock-free engines do not meet a user's ratings back to back), with the given parameters.
    /// </summary>
    public static SgdProblem Shuffled(InteractionMatrix train, SvdOptions options, float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        var shuffle = Splitter.Permutation(train.Count, options.Seed);
        var entryUsers = train.EntryUsers();
        var users = new int[train.Count];
        var items = new int[train.Count];
        var ratings = new float[train.Count];
        for (int n = 0; n < shuffle.Length; n++)
        {
            users[n] = entryUsers[shuffle[n]];
            items[n] = train.UserItems[shuffle[n]];
            ratings[n] = train.UserValues[shuffle[n]];
        }
        return new SgdProblem(users, items, ratings, train.UserCount, train.ItemCount, p, q, userBias, itemBias, (float)train.MeanValue(), options);
    }

    /// <summary>Copies the parameters into the given arrays, unless they are this problem's own.</summary>
    public void CopyParametersTo(float[] p, float[] q, float[] userBias, float[] itemBias)
    {
        if (!ReferenceEquals(p, P))
        {
            P.CopyTo(p, 0);
            Q.CopyTo(q, 0);
            UserBias.CopyTo(userBias, 0);
            ItemBias.CopyTo(itemBias, 0);
        }
    }
}
