using GpuMF.Models;

namespace GpuMF.Tests.Scoring;

/// <summary>Compares a returned list with the brute-force reference of <see cref="RandomModels.FullSort"/>.</summary>
public static class RankingAssert
{
    /// <summary>
    /// With exact (integer) scores the ids and scores must be identical, ties included. Otherwise the scores
    /// must agree rank by rank within 1e-4 (relative) and each returned id's exact score must be the score
    /// returned, which allows only swaps of candidates whose scores differ by rounding.
    /// </summary>
    public static void Same((int Index, double Score)[] expected, ReadOnlySpan<long> ids, ReadOnlySpan<float> scores, IReadOnlyList<long> idOf, Func<int, double> exact, bool integral)
    {
        Assert.Equal(expected.Length, ids.Length);
        var index = new Dictionary<long, int>();
        for (int i = 0; i < idOf.Count; i++)
        {
            index[idOf[i]] = i;
        }
        for (int c = 0; c < expected.Length; c++)
        {
            if (integral)
            {
                Assert.Equal(idOf[expected[c].Index], ids[c]);
                Assert.Equal(expected[c].Score, scores[c]);
            }
            else
            {
                Assert.True(Math.Abs(scores[c] - expected[c].Score) <= 1e-4 * Math.Max(1, Math.Abs(expected[c].Score)), $"rank {c + 1}: {scores[c]} vs {expected[c].Score}");
                double own = exact(index[ids[c]]);
                Assert.True(Math.Abs(scores[c] - own) <= 1e-4 * Math.Max(1, Math.Abs(own)), $"rank {c + 1}: id {ids[c]} scored {scores[c]}, exactly {own}");
            }
        }
    }

    /// <summary>The exact score of dense (u, i) in double precision.</summary>
    public static double Exact(FactorModel model, int u, int i)
    {
        double s = model.ItemBias?[i] ?? 0;
        for (int f = 0; f < model.Factors; f++)
        {
            s += (double)model.UserFactors[u * model.Factors + f] * model.ItemFactors[i * model.Factors + f];
        }
        return s;
    }
}
