using BenchmarkDotNet.Running;
using GpuMF.Backends;

namespace GpuMF.Bench;

/// <summary>
/// Entry point: <c>protocol</c> runs bench/PEERS.md's protocol on ML-1M (<see cref="ProtocolRun"/>), <c>scale</c> the
/// scale curve on synthetic data (<see cref="ScaleRun"/>), <c>splits</c> rebuilds the fixed splits from the raw
/// MovieLens files (<see cref="SplitsRun"/>), <c>update</c> the incremental-update protocol (<see cref="UpdateRun"/>), <c>tune</c> the tuner on the fixed splits (<see cref="TuneRun"/>),
/// <c>timesplit</c> time-aware splits (<see cref="TimeSplitRun"/>), <c>candidates</c> candidate scoring of a million pairs (<see cref="CandidateRun"/>),
/// <c>load</c> the loading speed of interaction files (<see cref="LoadRun"/>), <c>mpi</c> ALS on 1, 2 and 3 MPI ranks (<see cref="MpiRun"/>),
/// <c>devices</c> ALS, SVD, BPR and WARP streamed and on several devices (<see cref="DevicesRun"/>), <c>features</c> hybrid models and cold start (<see cref="FeaturesRun"/>), <c>pairwise</c> BPR and WARP epochs at 10M (<see cref="PairwiseThroughputRun"/>); anything else goes to BenchmarkDotNet's switcher (for
/// example <c>--filter *Als*</c>). Throughput on the synthetic presets is the console host's <c>gpumf bench</c>.
/// </summary>
public static class Program
{
    /// <summary>Runs the command; returns the process exit code (2 for a command line that cannot be run).</summary>
    public static int Main(string[] args)
    {
        Func<string[], int>? command = args.Length == 0 ? null : args[0] switch
        {
            "protocol" => ProtocolRun.Run,
            "scale" => ScaleRun.Run,
            ScalePoint.Command => ScalePoint.Run,
            SplitsRun.Command => SplitsRun.Run,
            UpdateRun.Command => UpdateRun.Run,
            MemoryRun.Command => MemoryRun.Run,
            TuneRun.Command => TuneRun.Run,
            TimeSplitRun.Command => TimeSplitRun.Run,
            CandidateRun.Command => CandidateRun.Run,
            LoadRun.Command => LoadRun.Run,
            MpiRun.Command => MpiRun.Run,
            DevicesRun.Command => DevicesRun.Run,
            FeaturesRun.Command => FeaturesRun.Run,
            PairwiseThroughputRun.Command => PairwiseThroughputRun.Run,
            _ => null,
        };
        if (command is null)
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }
        try
        {
            return command(args[1..]);
        }
        catch (BenchUsageException e)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 2;
        }
        catch (BackendUnavailableException e)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 1;
        }
    }
}
