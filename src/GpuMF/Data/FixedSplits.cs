using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GpuMF.Data;

/// <summary>One MovieLens rating as the raw files hold it: original user and item ids and the 1..5 stars.</summary>
/// <param name="User">The MovieLens user id.</param>
/// <param name="Item">The MovieLens movie id.</param>
/// <param name="Rating">The stars, or 1 in the cold-start splits, where every row is a bare positive.</param>
public readonly record struct RawRating(int User, int Item, int Rating);

/// <summary>One regenerated split file: its name in <c>$GPUMF_DATA/splits</c> and its exact bytes.</summary>
/// <param name="Name">The file name, for example <c>ml100k_explicit_train.tsv</c>.</param>
/// <param name="Contents">The file's bytes: <c>user&lt;TAB&gt;item&lt;TAB&gt;rating&lt;LF&gt;</c> rows, no header.</param>
public sealed record FixedSplitFile(string Name, byte[] Contents)
{
    /// <summary>The lower-case hex SHA-256 of <see cref="Contents"/>.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Contents));

    /// <summary>The SHA-256 recorded for <see cref="Name"/> in <see cref="FixedSplits.RecordedSha256"/>, or null.</summary>
    public string? RecordedSha256 => FixedSplits.RecordedSha256.GetValueOrDefault(Name);

    /// <summary>Whether the bytes are exactly those of the published file.</summary>
    public bool MatchesRecorded => RecordedSha256 == Sha256;
}

/// <summary>
/// The fixed train/test splits in <c>$GPUMF_DATA/splits</c> (data/README.md), rebuilt bit for bit from the raw
/// MovieLens files. They were first made with NumPy's <c>default_rng</c>, which <see cref="NumpyPcg64"/>
/// reproduces, so the recipes here draw exactly the numbers the Python script drew, in the same order.
/// </summary>
public static class FixedSplits
{
    /// <summary>The seed of every split except the cold-start users.</summary>
    public const ulong Seed = 42;

    /// <summary>The seed of <c>ml1m_colduser</c>, distinct so that held-out users and items are drawn independently.</summary>
    public const ulong ColdUserSeed = 43;

    /// <summary>The split names, each written as <c>{name}_train.tsv</c> and <c>{name}_test.tsv</c>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["ml1m_explicit", "ml1m_implicit", "ml100k_explicit", "ml100k_implicit", "ml1m_colditem", "ml1m_colduser"];

    /// <summary>The published files' SHA-256 (the <c>SHA256SUMS</c> shipped with the splits), by file name.</summary>
    public static IReadOnlyDictionary<string, string> RecordedSha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ml100k_explicit_test.tsv"] = "df66f3da5f45daa1a9f61563aecb4fdee361baa5627cd3039c001d3348ba72f4",
        ["ml100k_explicit_train.tsv"] = "e63296abe092338644d16e9d71dffa630481118ad570220f64896818e765f7d2",
        ["ml100k_implicit_test.tsv"] = "0aec9ccfadf4a10362385945a0161205ed898461fe0db0b0504d0964aa443070",
        ["ml100k_implicit_train.tsv"] = "e3317e1942d0a95844e6a5774b4d35f318fd368aeae9b528d5470627fccc88e2",
        ["ml1m_colditem_test.tsv"] = "1279de9612951006dbaa9f7a42f4b5582a60b387e8a3b3b739b92d54cb1e9d21",
        ["ml1m_colditem_train.tsv"] = "7221bd22ab23b895eb56a27392462ae144c7a7ce5951a1bca87fa25a4ffbc59d",
        ["ml1m_colduser_test.tsv"] = "47520f98a19bc201435e06157b6b9199b087488cc5c33dd3dcb5cd56d2b500f9",
        ["ml1m_colduser_train.tsv"] = "8ab448e067b69d28592dd1778a94d9af2802453cf7d3812f2183d67aa23d084d",
        ["ml1m_explicit_test.tsv"] = "664b16fc6480a49ed84af801dba39b4e72cc6b152c5a8df8af585e5ec17cf554",
        ["ml1m_explicit_train.tsv"] = "b1384edb6c98df890dd8dce30ed16836ab9a18ddc22665a36beeb60a7eeccd2f",
        ["ml1m_implicit_test.tsv"] = "d7319883a2eef04d3e814bdcf10b90dbc9e95fbe9f49cc876a03f356d3a2bb53",
        ["ml1m_implicit_train.tsv"] = "8fecb4192ae642c327e1bec7d91b8867248bc5c5c5bc27f7d65fa082b755de3e",
    };

    /// <summary>
    /// Rebuilds the named splits (from <see cref="Names"/>) from <paramref name="dataDirectory"/>'s
    /// <c>ml-1m/ratings_without_timestamps.dat</c> (else <c>ml-1m/ratings.dat</c>) and <c>ml-100k/u.data</c>;
    /// returns each split's train file, then its test file. Each raw file is read once.
    /// </summary>
    public static IReadOnlyList<FixedSplitFile> Regenerate(string dataDirectory, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        ArgumentNullException.ThrowIfNull(names);
        var ratings = new Dictionary<string, RawRating[]>(StringComparer.Ordinal);
        RawRating[] Load(string dataset) =>
            ratings.TryGetValue(dataset, out var rows) ? rows : ratings[dataset] = ReadRatings(RawFile(dataDirectory, dataset));

        var files = new List<FixedSplitFile>();
        foreach (string name in names)
        {
            var (train, test) = name switch
            {
                "ml1m_explicit" => Explicit(Load("ml-1m"), Seed),
                "ml1m_implicit" => Implicit(Load("ml-1m"), Seed),
                "ml100k_explicit" => Explicit(Load("ml-100k"), Seed),
                "ml100k_implicit" => Implicit(Load("ml-100k"), Seed),
                "ml1m_colditem" => ColdItems(Load("ml-1m"), Seed),
                "ml1m_colduser" => ColdUsers(Load("ml-1m"), ColdUserSeed),
                _ => throw new ArgumentException($"Unknown split '{name}'; the splits are {string.Join(", ", Names)}.", nameof(names)),
            };
            files.Add(new FixedSplitFile($"{name}_train.tsv", Format(train)));
            files.Add(new FixedSplitFile($"{name}_test.tsv", Format(test)));
        }
        return files;
    }

    /// <summary>
    /// Reads a raw MovieLens ratings file in file order: ML-1M's <c>user::item::rating[::time]</c> or ML-100K's
    /// tab-separated <c>user item rating time</c>; fields past the third are ignored.
    /// </summary>
    /// <exception cref="DataFormatException">A line lacks three integer fields.</exception>
    public static RawRating[] ReadRatings(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new List<RawRating>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            string[] fields = line.Contains("::", StringComparison.Ordinal)
                ? line.Split("::")
                : line.Split('\t');
            if (fields.Length < 3
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int user)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int item)
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int rating))
            {
                throw new DataFormatException(path, lineNumber, $"expected user, item and rating as whole numbers; got '{line}'.");
            }
            rows.Add(new RawRating(user, item, rating));
        }
        return [.. rows];
    }

    /// <summary>
    /// The explicit split: <c>default_rng(seed).permutation(n)</c> over all ratings, whose first n // 10
    /// positions are the test set. Both sides keep the input's row order.
    /// </summary>
    public static (RawRating[] Train, RawRating[] Test) Explicit(IReadOnlyList<RawRating> ratings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        int[] order = new NumpyPcg64(seed).Permutation(ratings.Count);
        var isTest = new bool[ratings.Count];
        for (int k = 0; k < ratings.Count / 10; k++)
        {
            isTest[order[k]] = true;
        }
        return Partition(ratings, isTest);
    }

    /// <summary>
    /// The implicit split of the positives (rating ≥ 4): users in ascending id, each user's positives sorted by
    /// item id and permuted by one shared <c>default_rng(seed)</c>; the first round(0.2 · n_u) positions (round
    /// half to even, as NumPy) are the user's test items. Rows keep their stars and come sorted by user, then item.
    /// </summary>
    public static (RawRating[] Train, RawRating[] Test) Implicit(IReadOnlyList<RawRating> ratings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        RawRating[] positives = SortedPositives(ratings, binary: false);
        var rng = new NumpyPcg64(seed);
        var isTest = new bool[positives.Length];
        for (int start = 0; start < positives.Length;)
        {
            int end = start + 1;
            while (end < positives.Length && positives[end].User == positives[start].User)
            {
                end++;
            }
            int count = end - start;
            int[] order = rng.Permutation(count);
            int nTest = (int)Math.Round(0.2 * count, MidpointRounding.ToEven);
            for (int k = 0; k < nTest; k++)
            {
                isTest[start + order[k]] = true;
            }
            start = end;
        }
        return Partition(positives, isTest);
    }

    /// <summary>
    /// The cold-item split of the positives (rating ≥ 4, value 1): <c>default_rng(seed).permutation</c> of the
    /// sorted distinct item ids, whose first len // 5 items have all their positives in test and none in train.
    /// Rows come sorted by user, then item.
    /// </summary>
    public static (RawRating[] Train, RawRating[] Test) ColdItems(IReadOnlyList<RawRating> ratings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        RawRating[] positives = SortedPositives(ratings, binary: true);
        var held = HeldOut(positives.Select(r => r.Item), seed);
        return Partition(positives, [.. positives.Select(r => held.Contains(r.Item))]);
    }

    /// <summary>
    /// The cold-user split: as <see cref="ColdItems"/> with the sorted distinct user ids in place of the items.
    /// </summary>
    public static (RawRating[] Train, RawRating[] Test) ColdUsers(IReadOnlyList<RawRating> ratings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        RawRating[] positives = SortedPositives(ratings, binary: true);
        var held = HeldOut(positives.Select(r => r.User), seed);
        return Partition(positives, [.. positives.Select(r => held.Contains(r.User))]);
    }

    /// <summary>The file bytes of <paramref name="rows"/>: <c>user&lt;TAB&gt;item&lt;TAB&gt;rating&lt;LF&gt;</c>, invariant digits.</summary>
    public static byte[] Format(IEnumerable<RawRating> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.User}\t{r.Item}\t{r.Rating}\n");
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static string RawFile(string dataDirectory, string dataset)
    {
        string[] candidates = dataset == "ml-1m"
            ? ["ratings_without_timestamps.dat", "ratings.dat"]
            : ["u.data"];
        foreach (string name in candidates)
        {
            string path = Path.Combine(dataDirectory, dataset, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new FileNotFoundException(
            $"No {string.Join(" or ", candidates)} in {Path.Combine(dataDirectory, dataset)} (data/README.md says where to get MovieLens).");
    }

    private static RawRating[] SortedPositives(IReadOnlyList<RawRating> ratings, bool binary)
    {
        // A stable sort keeps a (user, item) pair rated twice in file order; MovieLens has none, but the order stays defined.
        return [.. ratings
            .Where(r => r.Rating >= 4)
            .Select(r => binary ? r with { Rating = 1 } : r)
            .OrderBy(r => r.User)
            .ThenBy(r => r.Item)];
    }

    private static HashSet<int> HeldOut(IEnumerable<int> ids, ulong seed)
    {
        int[] distinct = [.. ids.Distinct().Order()];
        int[] order = new NumpyPcg64(seed).Permutation(distinct.Length);
        return [.. order.Take(distinct.Length / 5).Select(k => distinct[k])];
    }

    private static (RawRating[] Train, RawRating[] Test) Partition(IReadOnlyList<RawRating> rows, bool[] isTest)
    {
        var train = new List<RawRating>(rows.Count);
        var test = new List<RawRating>();
        for (int k = 0; k < rows.Count; k++)
        {
            (isTest[k] ? test : train).Add(rows[k]);
        }
        return ([.. train], [.. test]);
    }
}
