using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using GpuMF.Cli;
using GpuMF.Tests.Support;

namespace GpuMF.Tests.Cli;

/// <summary>The command line on System.CommandLine: help generated from the definitions, version, aliases, one-line usage errors.</summary>
public sealed partial class CommandLineTests
{
    public static TheoryData<string> CommandNames() => [.. Program.Commands().Select(c => c.Command.Name)];

    /// <summary>
    /// Every option a command parses appears in its help with its aliases, and with its default or "(required)";
    /// every option of every model family it takes appears under that family with the registry's default.
    /// </summary>
    [Fact]
    public void HelpListsEveryOptionWithItsDefaultOrRequired()
    {
        foreach (var command in Program.Commands())
        {
            var text = new StringWriter();
            HelpText.WriteCommand(command, text);
            // Wrapped descriptions continue on indented lines: one row a line again.
            var rows = Continuation().Replace(text.ToString(), " ").Split('\n');
            foreach (var option in command.Command.Options.Where(o => !o.Hidden))
            {
                var row = rows.SkipWhile(r => r != "options:").TakeWhile(r => r.Length > 0).SingleOrDefault(r => Regex.IsMatch(r, $@"^\s+(-\S+, )*{Regex.Escape(option.Name)}(?=[ ,]|$)"));
                Assert.True(row is not null, $"{command.Command.Name} --help lacks {option.Name}");
                foreach (string alias in option.Aliases.Where(a => a.StartsWith('-')))
                {
                    Assert.Contains(alias + ",", row);
                }
                if (option.Required)
                {
                    Assert.EndsWith("(required)", row.TrimEnd());
                }
                else if (option.HasDefaultValue && option.ValueType != typeof(bool))
                {
                    Assert.Contains($"[default: {Convert.ToString(option.GetDefaultValue(), CultureInfo.InvariantCulture)}]", row);
                }
            }
            var hidden = command.Command.Options.Where(o => o.Hidden).Select(o => o.Name).ToHashSet();
            var families = command.Models?.Families ?? [];
            Assert.Equal(hidden, families.SelectMany(f => f.Options).Select(o => "--" + o.Name).ToHashSet());
            foreach (var family in families)
            {
                int start = Array.FindIndex(rows, r => r.TrimStart().StartsWith($"--model {family.Name}:", StringComparison.Ordinal));
                Assert.True(start >= 0, $"{command.Command.Name} --help lacks --model {family.Name}");
                foreach (var option in family.Options)
                {
                    Assert.Contains(rows.Skip(start + 1).TakeWhile(r => !r.TrimStart().StartsWith("--model", StringComparison.Ordinal)),
                        r => r.TrimStart().StartsWith($"--{option.Name} ", StringComparison.Ordinal) && r.Contains($"{option.Help} [default: {option.Default}]", StringComparison.Ordinal));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void EveryCommandHasHelp(string command)
    {
        foreach (string[] args in new[] { new[] { command, "--help" }, [command, "-h"], ["help", command] })
        {
            var r = CliRunner.Run(args);
            Assert.True(r.Code == 0, r.Err);
            Assert.StartsWith($"gpumf {command}: ", r.Out);
            Assert.Contains($"usage: gpumf {command}", r.Out);
            Assert.Equal(string.Empty, r.Err);
        }
    }

    [Fact]
    public void TrainHelpShowsRangesDefaultsAndTheModelsOptions()
    {
        var (code, help, _) = CliRunner.Run("train", "--help");
        Assert.Equal(0, code);
        string r = Continuation().Replace(help, " ");
        Assert.Contains("-m, --model <svd|als|bpr|warp>", r);
        Assert.Contains("--checkpoint-every <N>", r);
        Assert.Contains("0..1000000 [default: 0]", r);
        Assert.Contains("--model als:", r);
        Assert.Contains("--factors <V>", r);
        Assert.Contains("latent factors k, 1..1024 [default: 64]", r);
        Assert.Contains("last for svd", r);
        Assert.Contains("-h, --help", r);
    }

    [Fact]
    public void NoArgumentsPrintsTheCommandsOnStderrWithExitCode2()
    {
        var r = CliRunner.Run();
        Assert.Equal(2, r.Code);
        Assert.Equal(string.Empty, r.Out);
        Assert.Contains("usage: gpumf <command> [options]", r.Err);
        foreach (var command in Program.Commands())
        {
            Assert.Contains($"  {command.Command.Name} ", r.Err);
        }
    }

    [Fact]
    public void VersionPrintsTheInformationalVersion()
    {
        var r = CliRunner.Run("--version");
        Assert.Equal(0, r.Code);
        Assert.Equal(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion, r.Out.Trim());
        Assert.StartsWith("0.1.0", r.Out);
    }

    /// <summary>Each error is one line on stderr naming the option, exit code 2, nothing on stdout, and no work done.</summary>
    [Theory]
    [InlineData("gpumf: --factors must be in 1..1024; got 0.", "train", "--model", "svd", "--data", "X", "--out", "Y", "--factors", "0")]
    [InlineData("gpumf: --n must be an integer in 1..1000; got '0'.", "score", "-m", "m.gpumf", "-o", "top.csv", "-n", "0")]
    [InlineData("gpumf: --n must be an integer in 1..1000; got 'ten'.", "score", "-m", "m.gpumf", "-o", "top.csv", "--n", "ten")]
    [InlineData("gpumf: --backend must be auto, cpu, cuda, opencl or ilgpu-cpu; got 'gpu'.", "train", "-m", "svd", "-d", "X", "-o", "Y", "-b", "gpu")]
    [InlineData("gpumf: --duplicates must be sum, last or reject; got 'maybe'.", "train", "-m", "als", "-d", "X", "-o", "Y", "--duplicates", "maybe")]
    [InlineData("gpumf: --value-range must look like 1..5 (smallest..largest); got '5..1'.", "train", "-m", "svd", "-d", "X", "-o", "Y", "--value-range", "5..1")]
    [InlineData("gpumf: --test-fraction must be a number in (0, 1); got '1'.", "split", "-d", "X", "--train-out", "a.tsv", "--test-out", "b.tsv", "--test-fraction", "1")]
    [InlineData("gpumf: --scale must be a number in (0, 1]; got '2'.", "bench", "--scale", "2")]
    [InlineData("gpumf: 'recommend' needs one of --user ID, --liked ID,ID,…, --user-features DESC|FILE or --item-features DESC.", "recommend", "-m", "m.gpumf")]
    [InlineData("gpumf: 'train' needs --data.", "train", "-m", "svd", "-o", "Y")]
    [InlineData("gpumf: unknown option for 'train': --colour. Run 'gpumf train --help' for its options.", "train", "-m", "svd", "-d", "X", "-o", "Y", "--colour")]
    [InlineData("gpumf: unexpected argument 'extra' for 'devices': every value follows its option.", "devices", "extra")]
    [InlineData("gpumf: --min-value applies to the implicit models (als, bpr, warp), not to svd, which trains on the ratings themselves.", "train", "-m", "svd", "-d", "X.tsv", "-o", "Y", "--min-value", "4")]
    [InlineData("gpumf: --device-warps applies to the lock-free SGD models (svd, bpr, warp), not to als.", "train", "-m", "als", "-d", "X.tsv", "-o", "Y", "--device-warps", "8")]
    [InlineData("gpumf: --items ',,,' holds no item id: give all, comma-separated ids, or a file with one id per line.", "similar", "-m", "m.gpumf", "--items", ",,,")]
    [InlineData("gpumf: 'similar' needs --item ID, --items all|FILE|ID,ID… or --item-features DESC.", "similar", "-m", "m.gpumf")]
    [InlineData("gpumf: --json and --out - would both write to standard output: give --out a file.", "score", "-m", "m.gpumf", "--out", "-", "--json")]
    [InlineData("gpumf: --out top.txt: the file name must end in .csv or .parquet, or --format must say which.", "score", "-m", "m.gpumf", "--out", "top.txt")]
    [InlineData("gpumf: --data X.xyz: cannot tell the layout from the extension '.xyz'; give --format movielens, tsv, csv or whitespace.", "train", "-m", "svd", "-d", "X.xyz", "-o", "Y")]
    public void UsageErrorsAreOneLineNamingTheOption(string message, params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.Code);
        Assert.Equal(message, r.Err.TrimEnd('\n'));
        Assert.Equal(string.Empty, r.Out);
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Y")));
    }

    [Fact]
    public void ShortAliasesWorkForTheCommonOptions()
    {
        string dir = Directory.CreateTempSubdirectory("gpumf-test-").FullName;
        try
        {
            string model = Path.Combine(dir, "m.gpumf");
            string top = Path.Combine(dir, "top.csv");
            var train = CliRunner.Run("train", "-m", "bpr", "-d", TestData.Split("ml100k_implicit_train.tsv"), "-o", model, "-b", "cpu", "--epochs", "1", "--factors", "4");
            Assert.True(train.Code == 0, train.Err);
            var score = CliRunner.Run("score", "-m", model, "-o", top, "-n", "3", "-b", "cpu", "--users", "1,2");
            Assert.True(score.Code == 0, score.Err);
            Assert.Equal(1 + 2 * 3, File.ReadAllLines(top).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"\n {10,}")]
    private static partial Regex Continuation();
}
