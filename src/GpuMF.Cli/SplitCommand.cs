using System.Globalization;
using System.Text;
using GpuMF.Data;
using GpuMF.Persistence;

namespace GpuMF.Cli;

/// <summary><c>gpumf split</c>: a seeded train/test split of a ratings file, written as <c>user&lt;TAB&gt;item&lt;TAB&gt;value</c> files.</summary>
internal static class SplitCommand
{
    public static int Run(CommandLine cl)
    {
        string data = cl.Require("data");
        string trainOut = cl.Require("train-out");
        string testOut = cl.Require("test-out");
        double fraction = cl.Float("test-fraction", 0.1f);
        bool perUser = cl.Flag("per-user");
        ulong seed = cl.ULong("seed", 42);
        var table = ModelSetup.ReadData(data, cl, asPositives: false);
        cl.RejectUnknown();
        var (train, test) = perUser ? Splitter.PerUserFraction(table, fraction, seed) : Splitter.RandomByRating(table, fraction, seed);
        Write(train, trainOut);
        Write(test, testOut);
        Console.Out.WriteLine($"wrote {train.Count:N0} rows to {trainOut} and {test.Count:N0} rows to {testOut}");
        return 0;
    }

    /// <summary>Writes through <see cref="AtomicFile"/>, so an interrupted run leaves no partial output.</summary>
    private static void Write(RatingTable table, string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            for (int k = 0; k < table.Count; k++)
            {
                writer.Write(table.Users[k].ToString(CultureInfo.InvariantCulture));
                writer.Write('\t');
                writer.Write(table.Items[k].ToString(CultureInfo.InvariantCulture));
                writer.Write('\t');
                writer.Write(table.Values[k].ToString(CultureInfo.InvariantCulture));
                writer.Write('\n');
            }
        });
}
