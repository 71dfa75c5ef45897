using System.Text;
using GpuMF.Conformance;
using GpuMF.Data;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Pairwise;

/// <summary>Feature matrices built by hand for the hybrid tests: ML-100K's genre flags, and small random ones.</summary>
internal static class HybridData
{
    /// <summary>ML-100K's 19 genres, in the order of u.item's flag columns.</summary>
    private static readonly string[] GenreNames =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>The ML-100K implicit split's positives (value 1), train or test.</summary>
    public static RatingTable Positives(string part) =>
        RatingFileReader.Read(TestData.Split($"ml100k_implicit_{part}.tsv")).Positives(minValue: 0f);

    /// <summary>Each ML-100K movie's genres (u.item's last 19 fields, 0 or 1), by movie id.</summary>
    public static Dictionary<long, int[]> MovieGenres()
    {
        var genres = new Dictionary<long, int[]>();
        foreach (string line in File.ReadLines(Path.Combine(TestData.Root, "ml-100k", "u.item"), Encoding.Latin1))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var fields = line.Split('|');
            var flags = fields[^GenreNames.Length..];
            genres[long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture)] = [.. Enumerable.Range(0, flags.Length).Where(g => flags[g] == "1")];
        }
        return genres;
    }

    /// <summary>
    /// The genre features of the first <paramref name="count"/> items of <paramref name="items"/>: with
    /// <paramref name="identity"/>, item e's own column e, then its genres, every entry of a row weighing the same:
    /// 1/entries when <paramref name="normalized"/> (the row sums to 1), else 1.
    /// </summary>
    public static FeatureMatrix Genres(IdMap items, int count, bool identity, bool normalized = true)
    {
        var genres = MovieGenres();
        int identityCount = identity ? count : 0;
        var ptr = new List<int> { 0 };
        var columns = new List<int>();
        var weights = new List<float>();
        for (int e = 0; e < count; e++)
        {
            var row = (identity ? [e] : Array.Empty<int>()).Concat(genres[items[e]].Select(g => identityCount + g)).ToArray();
            columns.AddRange(row);
            weights.AddRange(Enumerable.Repeat(normalized ? 1f / row.Length : 1f, row.Length));
            ptr.Add(columns.Count);
        }
        return new FeatureMatrix(new IdMap(GenreNames), identityCount, [.. ptr], [.. columns], [.. weights]) { Normalized = normalized };
    }

    /// <summary>
    /// Random features of <paramref name="rows"/> entities: with <paramref name="identity"/>, each row's own column at
    /// a random weight in [0.5, 1.5), then up to three of <paramref name="named"/> named columns at random weights in
    /// [0, 1); some rows without identity have no entry at all.
    /// </summary>
    public static FeatureMatrix Random(int rows, int named, bool identity, ulong seed) => HybridSelfTest.RandomFeatures(rows, named, identity, seed);

    /// <summary>About <paramref name="positives"/> distinct random pairs, with user 0 holding most items so that negatives get rejected.</summary>
    public static InteractionMatrix RandomPositives(int users, int items, int positives, ulong seed) => PairwiseSelfTest.RandomPositives(users, items, positives, seed);

    /// <summary>The largest absolute difference between two arrays of one length (infinite for other lengths).</summary>
    public static double MaxDifference(float[]? a, float[]? b)
    {
        if (a is null || b is null)
        {
            return a == b ? 0 : double.PositiveInfinity;
        }
        if (a.Length != b.Length)
        {
            return double.PositiveInfinity;
        }
        double max = 0;
        for (int n = 0; n < a.Length; n++)
        {
            max = Math.Max(max, Math.Abs((double)a[n] - b[n]) / Math.Max(1.0, Math.Abs((double)b[n])));
        }
        return max;
    }
}
