using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuMF.Models;
using GpuMF.Tests.Scoring;

namespace GpuMF.Tests.Cli;

/// <summary><c>gpumf export</c>: NumPy files read back as NumPy reads them (magic, version, header dict, little-endian values).</summary>
public sealed partial class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ExportWritesEveryArrayAndADescriptionNamingThem()
    {
        var model = RandomModels.Create(23, 61, 7, seed: 5);
        string path = Path.Combine(_dir, "m.gpumf");
        model.Save(path);
        string folder = Path.Combine(_dir, "npy");
        var r = CliRunner.Run("export", "--model", path, "--out", folder);
        Assert.True(r.Code == 0, r.Err);

        string text = File.ReadAllText(Path.Combine(folder, "model.json"));
        Assert.Contains("\"score\": \"user_factors[u] @ item_factors[i] + item_bias[i]\"", text);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("bpr", root.GetProperty("kind").GetString());
        Assert.Equal(7, root.GetProperty("factors").GetInt32());
        Assert.Equal("user_factors[u] @ item_factors[i] + item_bias[i]", root.GetProperty("score").GetString());
        var files = root.GetProperty("files").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(["item_bias", "item_factors", "item_ids", "user_factors", "user_ids"], files.Keys.Order());
        Assert.Equal(files.Values.Append("model.json").Order(), Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order());

        Assert.Equal(model.UserFactors, Read<float>(Path.Combine(folder, files["user_factors"]), "<f4", "(23, 7)"));
        Assert.Equal(model.ItemFactors, Read<float>(Path.Combine(folder, files["item_factors"]), "<f4", "(61, 7)"));
        Assert.Equal(model.ItemBias, Read<float>(Path.Combine(folder, files["item_bias"]), "<f4", "(61,)"));
        Assert.Equal(model.Users.ToArray(), Read<long>(Path.Combine(folder, files["user_ids"]), "<i8", "(23,)"));
        Assert.Equal(model.Items.ToArray(), Read<long>(Path.Combine(folder, files["item_ids"]), "<i8", "(61,)"));
    }

    [Fact]
    public void SvdExportsBothBiasesAndTheMeanAndReplacesAnEarlierExport()
    {
        string folder = Path.Combine(_dir, "svd");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "user_factors.npy"), "old");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "kept");
        string path = Path.Combine(_dir, "svd.gpumf");
        var train = CliRunner.Run("train", "--model", "svd", "--data", GpuMF.Tests.Data.BadInputCorpusTests.Corpus("cold-train.tsv"), "--out", path, "--backend", "cpu", "--epochs", "2", "--factors", "3");
        Assert.True(train.Code == 0, train.Err);
        var r = CliRunner.Run("export", "-m", path, "-o", folder);
        Assert.True(r.Code == 0, r.Err);
        var model = FactorModel.Load(path);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "model.json")));
        Assert.Equal("svd", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(model.GlobalMean, json.RootElement.GetProperty("global_mean").GetSingle());
        Assert.Equal(3, json.RootElement.GetProperty("options").GetProperty("factors").GetInt32());
        Assert.Equal(model.UserBias, Read<float>(Path.Combine(folder, "user_bias.npy"), "<f4", $"({model.Users.Count},)"));
        Assert.Equal(model.UserFactors, Read<float>(Path.Combine(folder, "user_factors.npy"), "<f4", $"({model.Users.Count}, 3)"));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(folder, "notes.txt")));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(folder), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    /// <summary>Reads an .npy file as NumPy does and checks its header.</summary>
    private static T[] Read<T>(string path, string type, string shape)
        where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        Assert.Equal(1, bytes[6]);
        int length = BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, (10 + length) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, length);
        var dict = HeaderDict().Match(header);
        Assert.True(dict.Success, header);
        Assert.Equal(type, dict.Groups["descr"].Value);
        Assert.Equal("False", dict.Groups["fortran"].Value);
        Assert.Equal(shape, dict.Groups["shape"].Value);
        Assert.EndsWith("\n", header);
        return MemoryMarshal.Cast<byte, T>(bytes.AsSpan(10 + length)).ToArray();
    }

    [GeneratedRegex(@"^\{'descr': '(?<descr>[^']+)', 'fortran_order': (?<fortran>True|False), 'shape': (?<shape>\([^)]*\)), \} *\n$")]
    private static partial Regex HeaderDict();
}
