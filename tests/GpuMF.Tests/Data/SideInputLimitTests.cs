using System.Text;
using GpuMF.Data;
using GpuMF.Tests.Cli;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Data;

/// <summary>
/// Side inputs (id lists, movie titles) are read by lines of at most <see cref="LineReader.MaxLineLength"/>
/// characters, so that <c>/dev/zero</c> or a binary file given by mistake fails at once, naming the file and
/// the line, instead of filling memory; folders are named as such.
/// </summary>
public sealed class SideInputLimitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gpumf-side-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<string> Lines(string text, int chunk = 1 << 16)
    {
        using var reader = new LineReader(new ChunkedReader(text, chunk), "text");
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
            Assert.Equal(lines.Count, reader.LineNumber);
        }
        return lines;
    }

    /// <summary>Hands out at most <c>chunk</c> characters a read, so that line ends fall on buffer edges.</summary>
    private sealed class ChunkedReader(string text, int chunk) : TextReader
    {
        private int _at;

        public override int Read(Span<char> buffer)
        {
            int n = Math.Min(Math.Min(chunk, buffer.Length), text.Length - _at);
            text.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1 << 16)]
    public void LinesEndAsReadLineEndsThem(int chunk)
    {
        const string Text = "a\nbb\r\ncc\r\rd\n\n\r\nlast";
        Assert.Equal(ReadLineLines(Text), Lines(Text, chunk));
        Assert.Equal(["x", ""], Lines("x\n\r\n", chunk));
        Assert.Empty(Lines("", chunk));
    }

    private static List<string> ReadLineLines(string text)
    {
        using var reader = new StringReader(text);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    [Fact]
    public void ALineAtTheLimitPassesAndOneBeyondItFailsNamingFileAndLine()
    {
        string atLimit = new('7', LineReader.MaxLineLength);
        Assert.Equal(["1", atLimit, "2"], Lines($"1\n{atLimit}\n2"));
        var e = Assert.Throws<DataFormatException>(() => Lines($"1\n2\n{atLimit}8\n"));
        Assert.Equal("text", e.File);
        Assert.Equal(3, e.Line);
        Assert.Contains($"line longer than {LineReader.MaxLineLength} characters", e.Message);
    }

    [Fact]
    public void AMovieListWithoutLineEndsFailsAtLineOne()
    {
        var e = Assert.Throws<DataFormatException>(() => MovieCatalog.Read("/dev/zero"));
        Assert.Equal("/dev/zero", e.File);
        Assert.Equal(1, e.Line);
        Assert.Contains("line longer than", e.Message);
        Assert.Contains("is a directory", Assert.Throws<DataFormatException>(() => MovieCatalog.Read(_folder)).Message);
        Assert.Throws<FileNotFoundException>(() => MovieCatalog.Read(Path.Combine(_folder, "movies.dat")));
    }

    [Fact]
    public void AMovieListStillReadsItsTitles()
    {
        string path = Path.Combine(_folder, "u.item");
        File.WriteAllText(path, "1|Toy Story (1995)|x\r\n\r\n2|Caf\u00e9 (2001)|y", Encoding.Latin1);
        var movies = MovieCatalog.Read(path);
        Assert.Equal(2, movies.Count);
        Assert.Equal("Café (2001)", movies.Title(2));
        File.WriteAllText(path, "1|A\nnot a line\n", Encoding.Latin1);
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => MovieCatalog.Read(path)).Line);
    }

    [Fact]
    public void TheCommandLineRefusesEndlessAndFolderSideInputs()
    {
        string model = Path.Combine(_folder, "model.gpumf");
        TestModels.Random(4, 6, 2, seed: 3).Save(model);
        string output = Path.Combine(_folder, "top.csv");
        foreach (string[] args in new[]
        {
            new[] { "score", "--model", model, "--out", output, "--backend", "cpu", "--users", "/dev/zero" },
            ["score", "--model", model, "--out", output, "--backend", "cpu", "--allow", "/dev/zero"],
            ["recommend", "--model", model, "--user", "1", "--movies", "/dev/zero"],
        })
        {
            var r = CliRunner.Run(args);
            Assert.True(r.Code == 1, $"{string.Join(' ', args)}: exit {r.Code}, {r.Err}");
            Assert.StartsWith("gpumf: /dev/zero:1: line longer than", r.Err.Trim());
        }
        var folder = CliRunner.Run("score", "--model", model, "--out", output, "--backend", "cpu", "--users", _folder);
        Assert.Equal(1, folder.Code);
        Assert.Contains($"{_folder}: is a directory, not a list of user ids", folder.Err);
        Assert.False(File.Exists(output));
    }
}
