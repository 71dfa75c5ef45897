using System.Diagnostics;

namespace GpuMF.Bench;

/// <summary>Starts this bench runner again as a child, for measurements that need a process of their own.</summary>
internal static class SelfProcess
{
    /// <summary>How to start the bench runner with <paramref name="args"/>; standard output redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown."))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Under the dotnet host the executable is the host: the entry assembly has to be named again.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }
}
