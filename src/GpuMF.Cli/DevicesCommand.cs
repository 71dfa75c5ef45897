using System.CommandLine;
using System.Globalization;
using GpuMF.Backends;

namespace GpuMF.Cli;

/// <summary><c>gpumf devices</c>: the backends and devices present, and what <c>--backend auto</c> picks.</summary>
internal sealed class DevicesCommand : CliCommand
{
    public DevicesCommand()
        : base("devices", "list the backends and devices present, and what --backend auto picks")
    {
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        var devices = ComputeBackend.ListDevices();
        Table.Print(["backend", "index", "device", "memory MiB", "warp", "max group"], [.. devices.Select(d => new[]
        {
            BackendArguments.Name(d.Backend), d.Index.ToString(CultureInfo.InvariantCulture), d.Name,
            // ILGPU's CPU accelerator reports no memory of its own (2^63 bytes): it uses the host's.
            d.Backend == BackendKind.IlgpuCpu ? "host memory" : (d.MemoryBytes >> 20).ToString(CultureInfo.InvariantCulture),
            d.WarpSize.ToString(CultureInfo.InvariantCulture), d.MaxGroupSize.ToString(CultureInfo.InvariantCulture),
        })]);
        using var auto = ComputeBackend.Create();
        Console.Out.WriteLine($"auto picks: {BackendArguments.Describe(auto)}");
        return 0;
    }
}
