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
          train       --model M --data FILE --out MODEL.gpumf [model options]
          evaluate    --model M --train FILE --test FILE [--json] [model options]
          recommend   --model MODEL.gpumf --user ID [--n N] [--movies movies.dat]
          similar     --model MODEL.gpumf --item ID [--n N] [--movies movies.dat]
          devices                                           list the backends and devices present
          selftest    [--backend B]                         check every kernel against the CPU backend

        models: svd (explicit ratings, SGD), bpr and warp (implicit positives, sampled pairwise SGD)
        common options: --backend auto|cpu|cuda|opencl|ilgpu-cpu (default auto), --threads N, --seed S,
                        --format movielens|tsv|csv (default: from the file extension)
        svd options:    --factors K --epochs E --lr η --lr-decay d --reg λ --bias-reg λb --init-std σ
        bpr options:    --factors K --epochs E --lr η --schedule adagrad|decay --lr-decay d --reg λ
                        --item-bias true|false --reject-observed true|false --init-std σ
        warp options:   --factors K --epochs E --lr η --schedule adagrad|decay --lr-decay d --reg λ
                        --item-bias true|false --max-sampled N --init-std σ
        """;

    /// <summary>Runs one command; returns the process exit code (0 success, 1 failure, 2 usage error).</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
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
                "similar" => Commands.Similar(cl),
                "devices" => Commands.Devices(cl),
                "selftest" => Commands.SelfTest(cl),
                "quickstart" => Quickstart.Run(cl, cancel.Token),
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
