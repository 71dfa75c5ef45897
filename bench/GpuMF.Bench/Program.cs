using BenchmarkDotNet.Running;

namespace GpuMF.Bench;

/// <summary>
/// Entry point: <c>als-scale [options]</c> runs the end-to-end ALS timing (<see cref="AlsScaleRun"/>);
/// anything else goes to BenchmarkDotNet's switcher (for example <c>--filter *Als*</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "als-scale")
        {
            return AlsScaleRun.Run(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
