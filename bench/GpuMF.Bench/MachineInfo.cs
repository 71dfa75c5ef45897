using System.Globalization;
using System.Runtime.InteropServices;
using GpuMF.Backends;

namespace GpuMF.Bench;

/// <summary>What a result was measured on: CPU model, cores, memory, GPUs, runtime and load.</summary>
internal static class MachineInfo
{
    /// <summary>One Markdown paragraph describing this machine now.</summary>
    public static string Describe()
    {
        string gpus = Gpus();
        string memory = (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30)).ToString("F0", CultureInfo.InvariantCulture);
        string load = LoadAverage() is { } l ? $"; load average {l} at the start" : "";
        return $"{CpuModel()}, {Environment.ProcessorCount} logical cores, {memory} GiB; GPU: {gpus}; "
            + $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}{load}.";
    }

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            foreach (string line in File.ReadLines(cpuInfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        return RuntimeInformation.ProcessArchitecture.ToString() + " CPU";
    }

    private static string Gpus()
    {
        var gpus = ComputeBackend.ListDevices()
            .Where(d => d.Backend is BackendKind.Cuda or BackendKind.OpenCL)
            .Select(d => $"{d.Name} ({d.Backend}, {d.MemoryBytes >> 30} GiB)")
            .ToList();
        return gpus.Count == 0 ? "none" : string.Join(", ", gpus);
    }

    private static string? LoadAverage()
    {
        const string loadAvg = "/proc/loadavg";
        if (!File.Exists(loadAvg))
        {
            return null;
        }
        string[] fields = File.ReadAllText(loadAvg).Split(' ');
        return fields.Length >= 3 ? $"{fields[0]} / {fields[1]} / {fields[2]}" : null;
    }
}
