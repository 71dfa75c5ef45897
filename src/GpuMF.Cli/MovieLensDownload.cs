using System.IO.Compression;
using System.Security.Cryptography;

namespace GpuMF.Cli;

/// <summary>Finds MovieLens 1M on disk, or downloads it from GroupLens into a cache folder and checks it.</summary>
internal static class MovieLensDownload
{
    private const string Url = "https://files.grouplens.org/datasets/movielens/ml-1m.zip";

    // GroupLens publishes the archive's MD5; the SHA-256 sums below are of the extracted files.
    private const string ZipMd5 = "c4d9eecfca2ab87c1945afe126590906";
    private static readonly (string File, string Sha256)[] FileSums =
    [
        ("movies.dat", "0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9"),
        ("users.dat", "1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3"),
    ];

    /// <summary>The names a ratings file of MovieLens 1M goes by, in order of preference.</summary>
    private static readonly string[] RatingNames = ["ratings.dat", "ratings_without_timestamps.dat"];

    /// <summary>The folder holding ml-1m's ratings and movies.dat: --data, then $GPUMF_DATA, then the cache, else a download (which <paramref name="cancellation"/> stops, leaving no partial file).</summary>
    public static (string Ratings, string Movies) Locate(string? dataOption, CancellationToken cancellation)
    {
        var candidates = new List<string>();
        if (dataOption is not null)
        {
            candidates.Add(dataOption);
            candidates.Add(Path.Combine(dataOption, "ml-1m"));
        }
        else
        {
            if (Environment.GetEnvironmentVariable("GPUMF_DATA") is { Length: > 0 } env)
            {
                candidates.Add(Path.Combine(env, "ml-1m"));
            }
            candidates.Add(Path.Combine(CacheFolder(), "ml-1m"));
        }
        foreach (string dir in candidates)
        {
            if (Find(dir) is { } found)
            {
                return found;
            }
        }
        if (dataOption is not null)
        {
            throw new FileNotFoundException($"No MovieLens 1M ratings (ratings.dat) and movies.dat under '{dataOption}'.");
        }
        string cache = CacheFolder();
        Download(cache, cancellation);
        return Find(Path.Combine(cache, "ml-1m")) ?? throw new InvalidDataException($"The archive from {Url} holds no ml-1m/ratings.dat.");
    }

    private static (string, string)? Find(string dir)
    {
        string movies = Path.Combine(dir, "movies.dat");
        if (!File.Exists(movies))
        {
            return null;
        }
        foreach (string name in RatingNames)
        {
            string ratings = Path.Combine(dir, name);
            if (File.Exists(ratings))
            {
                return (ratings, movies);
            }
        }
        return null;
    }

    private static string CacheFolder()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
        return Path.Combine(root, "gpumf");
    }

    private static void Download(string cache, CancellationToken cancellation)
    {
        Directory.CreateDirectory(cache);
        string zip = Path.Combine(cache, "ml-1m.zip");
        string partial = zip + ".part";
        Console.Error.WriteLine($"MovieLens 1M not found; downloading {Url} into {cache} …");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            using (var response = http.GetAsync(Url, HttpCompletionOption.ResponseHeadersRead, cancellation).GetAwaiter().GetResult())
            {
                response.EnsureSuccessStatusCode();
                using var body = response.Content.ReadAsStream(cancellation);
                using var file = File.Create(partial);
                body.CopyToAsync(file, cancellation).GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            File.Delete(partial);
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            File.Delete(partial);
            throw new IOException(
                $"Could not download MovieLens 1M ({e.Message}). Without network: fetch {Url} on a machine that has it, unzip it, " +
                $"and run 'gpumf quickstart --data <folder holding ml-1m>' or set GPUMF_DATA to the folder that holds ml-1m/.", e);
        }
        string md5 = Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(partial)));
        if (md5 != ZipMd5)
        {
            File.Delete(partial);
            throw new InvalidDataException($"The download of {Url} is corrupt: MD5 {md5}, expected {ZipMd5}. Try again.");
        }
        File.Move(partial, zip, overwrite: true);
        ZipFile.ExtractToDirectory(zip, cache, overwriteFiles: true);
        foreach (var (name, sum) in FileSums)
        {
            string path = Path.Combine(cache, "ml-1m", name);
            string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            if (actual != sum)
            {
                throw new InvalidDataException($"{path} has SHA-256 {actual}, expected {sum}: delete {cache} and try again.");
            }
        }
    }
}
