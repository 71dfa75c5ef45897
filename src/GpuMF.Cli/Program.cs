using System.Globalization;
using GpuMF.Backends;
using GpuMF.Data;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary>The <c>gpumf</c> console host.</summary>
public static class Program
{
    private const string Usage = """
        gpumf — matrix-factorization recommenders on GPUs and CPUs

        usage: gpumf <command> [options]

          quickstart  [--data DIR] [--backend B]            train on MovieLens 1M and show recommendations
          train       --model M --data FILE --out MODEL.gpumf [--checkpoint-every N] [--resume] [model options]
          evaluate    --model M --train FILE --test FILE [--json] [model options]
          recommend   --model MODEL.gpumf --user ID [--n N] [--movies movies.dat]
          similar     --model MODEL.gpumf --item ID [--n N] [--movies movies.dat]
          split       --data FILE --train-out A.tsv --test-out B.tsv [--test-fraction F] [--per-user] [--seed S]
          bench       [--model svd|als|bpr|warp|recommend] [--preset netflix-like|ml20m-like] [--scale F]
                      [--epochs E] [--solver cg|cholesky] [--backend B,B…]
                                                            training throughput or RecommendAll time on synthetic
                                                            data, one JSON line per backend
          similar     --model MODEL.gpumf --items all|FILE|ID,ID… [--n N] [--out FILE.csv|FILE.parquet]
                      [--allow FILE | --deny FILE] [--skip-unknown]
                                                            neighbours of many items (CSV on stdout without --out)
          score       --model MODEL.gpumf --out FILE.csv|FILE.parquet [--users all|FILE|ID,ID…] [--n N]
                      [--include-seen] [--allow FILE | --deny FILE] [--skip-unknown] [--chunk USERS]
                                                            top N (1..1000, default 10) items of each user, streamed
          devices                                           list the backends and devices present
          selftest    [--backend B]                         check every kernel against the CPU backend

        common options: --backend auto|cpu|cuda|opencl|ilgpu-cpu (default auto), --threads N, --seed S,
                        --format movielens|tsv|csv (default: from the file extension), --value-range 1..5,
                        --min-value V (implicit models: keep only rows whose value is at least V),
                        --device-warps W (svd, bpr, warp on an ILGPU device: warps in flight; default one
                        per 8,192 ratings (svd) or 1,024 positives (bpr, warp), at most what fills the device)
        checkpoints:    train --checkpoint-every N writes MODEL.gpumf.ckpt after every N epochs (als: iterations);
                        train --resume continues from it (same data and options; on --backend cpu the model
                        equals that of an uninterrupted run with the same --threads)
        """;

    /// <summary>Each model of the registry with its options, defaults and ranges, as help lists them.</summary>
    private static string ModelHelp()
    {
        var text = new System.Text.StringBuilder();
        foreach (var family in ModelRegistry.All)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  --model {family.Name}: {family.Summary}\n");
            foreach (var option in family.Options)
            {
                string name = option.IsFlag ? $"--{option.Name} [true|false]" : $"--{option.Name} V";
                text.Append(CultureInfo.InvariantCulture, $"    {name,-26} {option.Help} (default {option.Default})\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Runs one command; returns the process exit code (0 success, 1 failure, 2 usage error).</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage + ModelHelp());
            return args.Length == 0 ? 2 : 0;
        }
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            var cl = new CommandLine(args[0], args.Skip(1));
            return args[0] switch
            {
                "train" => Commands.Train(cl, cancel.Token),
                "evaluate" => Commands.Evaluate(cl, cancel.Token),
                "recommend" => Commands.Recommend(cl),
                "similar" => ScoreCommand.Similar(cl, cancel.Token),
                "score" => ScoreCommand.Score(cl, cancel.Token),
                "devices" => Commands.Devices(cl),
                "selftest" => Commands.SelfTest(cl),
                "quickstart" => Quickstart.Run(cl, cancel.Token),
                "split" => SplitCommand.Run(cl),
                "bench" => BenchCommand.Run(cl, cancel.Token),
                _ => throw new UsageException($"unknown command '{args[0]}'. Run 'gpumf --help' for the list."),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"gpumf: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("gpumf: cancelled.");
            return 130;
        }
        catch (Exception e) when (e is DataFormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
            or ArgumentException or KeyNotFoundException or BackendUnavailableException or TrainingDivergedException or IOException
            or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"gpumf: {e.Message}");
            return 1;
        }
    }
}
