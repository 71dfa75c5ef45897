using GpuMF.Tests.Cli;
using Parquet.Schema;

namespace GpuMF.Tests.Data;

/// <summary>The console host's data options: Parquet input, columns by name, id types and times.</summary>
public sealed class InteractionFileCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gpumf-input-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] Split(string data, params string[] more) =>
        ["split", "--data", data, "--train-out", Path.Combine(_dir, "train.tsv"), "--test-out", Path.Combine(_dir, "test.tsv"), "--test-fraction", "0.5", .. more];

    private string[] SplitRows() =>
        [.. File.ReadAllLines(Path.Combine(_dir, "train.tsv")).Concat(File.ReadAllLines(Path.Combine(_dir, "test.tsv"))).Order()];

    [Fact]
    public void SplitReadsParquet()
    {
        string data = Path.Combine(_dir, "ratings.parquet");
        ParquetRatingReaderTests.Write(data, [new DataField<long>("user"), new DataField<long>("item"), new DataField<float>("rating")],
            [new long[] { 1, 2 }, new long[] { 10, 20 }, new float[] { 4, 5 }], [new long[] { 3, 4 }, new long[] { 30, 40 }, new float[] { 3, 2 }]);
        var r = CliRunner.Run(Split(data));
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(["1\t10\t4", "2\t20\t5", "3\t30\t3", "4\t40\t2"], SplitRows());
    }

    [Fact]
    public void ColumnsAreFoundByTheNamesGiven()
    {
        string data = Path.Combine(_dir, "orders.csv");
        File.WriteAllText(data, "qty,sku,customer\n2,10,1\n5,20,2\n");
        var r = CliRunner.Run(Split(data, "--user-col", "Customer", "--item-col", "SKU", "--value-col", "qty"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(["1\t10\t2", "2\t20\t5"], SplitRows());
    }

    [Fact]
    public void AMissingNamedColumnIsOneLineNamingTheFile()
    {
        string data = Path.Combine(_dir, "orders.csv");
        File.WriteAllText(data, "qty,sku,customer\n2,10,1\n");
        var r = CliRunner.Run(Split(data, "--user-col", "client"));
        Assert.Equal(1, r.Code);
        Assert.Equal($"gpumf: {data}:1: the header has no user column 'client'; its columns are: 'qty', 'sku', 'customer'.", r.Err.TrimEnd('\n'));
    }

    [Fact]
    public void IdTypeIntRefusesStringIds()
    {
        string data = Path.Combine(_dir, "ratings.tsv");
        File.WriteAllText(data, "u1\t10\t4\n");
        var r = CliRunner.Run(Split(data, "--id-type", "int"));
        Assert.Equal(1, r.Code);
        Assert.Contains($"{data}:1: field 1 (user id) 'u1' is not an integer.", r.Err);
    }

    [Fact]
    public void ATimeColumnThatClashesWithTheValueIsAUsageError()
    {
        string data = Path.Combine(_dir, "ratings.tsv");
        File.WriteAllText(data, "1\t10\t4\t100\n");
        var r = CliRunner.Run(Split(data, "--time-col", "3"));
        Assert.Equal(2, r.Code);
        Assert.Contains("time 2", r.Err);
        Assert.Equal(0, CliRunner.Run(Split(data, "--time-col", "4")).Code);
    }
}
