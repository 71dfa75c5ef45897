using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace GpuMF.Bench;

/// <summary>
/// <c>memory probe -- PROGRAM [ARGS…]</c>: runs one program as this process's only child and prints one JSON
/// line with its peak resident set. The peak is the kernel's: getrusage(RUSAGE_CHILDREN).ru_maxrss once the
/// child has been reaped, the largest high-water mark (VmHWM) among the children waited for, here just the one,
/// so no sampling interval can miss it. Beside it, the child's VmHWM is polled from /proc/PID/status and read
/// again at each line the child writes to standard error, which dates the stages of a run: the console host
/// prints a line once the data is in, one per epoch and one when training ends.
/// </summary>
internal static partial class MemoryProbe
{
    public const string Name = "probe";

    private const int PollMilliseconds = 20;
    private const int MaxMarks = 200;
    private const int MaxLineChars = 160;
    private const int RusageChildren = -1;

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs, ru_maxrss (kilobytes) the first.</summary>
    private const int RusageLongs = 18;
    private const int MaxRssIndex = 4;

    public static int Run(string[] args)
    {
        if (args.Length < 2 || args[0] != "--")
        {
            throw new BenchUsageException($"{Name} needs -- PROGRAM [ARGS…].");
        }
        var start = new ProcessStartInfo(args[1])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args[2..])
        {
            start.ArgumentList.Add(arg);
        }
        var gate = new Lock();
        var marks = new JsonArray();
        var output = new List<string>();
        long sampled = 0;
        var clock = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        string pid = child.Id.ToString(CultureInfo.InvariantCulture);
        void Sample()
        {
            if (ProcStatus.Field(pid, "VmHWM") is { } mark)
            {
                lock (gate)
                {
                    sampled = Math.Max(sampled, mark);
                }
            }
        }
        child.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data))
            {
                return;
            }
            Sample();
            lock (gate)
            {
                if (marks.Count < MaxMarks)
                {
                    marks.Add(new JsonObject
                    {
                        ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
                        ["hwm_bytes"] = sampled,
                        ["line"] = e.Data.Length > MaxLineChars ? e.Data[..MaxLineChars] : e.Data,
                    });
                }
            }
        };
        child.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                lock (gate)
                {
                    output.Add(e.Data);
                }
            }
        };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();
        while (!child.WaitForExit(PollMilliseconds))
        {
            Sample();
        }
        // Without a timeout the wait also drains both redirected streams.
        child.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        var result = new JsonObject
        {
            ["exit_code"] = child.ExitCode,
            ["seconds"] = Math.Round(seconds, 3),
            ["peak_bytes"] = ChildrenPeak(),
            ["sampled_peak_bytes"] = sampled,
            ["marks"] = marks,
            ["stdout"] = string.Join('\n', output.TakeLast(5)),
        };
        Console.Out.WriteLine(result.ToJsonString());
        return 0;
    }

    /// <summary>The largest peak resident set of the children reaped so far, in bytes; null where getrusage is not to be had.</summary>
    private static unsafe long? ChildrenPeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        long* usage = stackalloc long[RusageLongs];
        return GetRusage(RusageChildren, usage) == 0 ? usage[MaxRssIndex] * 1024 : null;
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static unsafe partial int GetRusage(int who, long* usage);
}
