using System.Globalization;

namespace GpuMF.Bench;

/// <summary>Linux's /proc/PID/status, where the memory benchmarks read resident-set figures of a process.</summary>
internal static class ProcStatus
{
    /// <summary>
    /// A "kB" field ("VmRSS", "VmHWM") of /proc/<paramref name="pid"/>/status in bytes (<c>self</c> for this
    /// process); null off Linux and once the process has exited, since an exited process has no memory fields.
    /// </summary>
    public static long? Field(string pid, string name)
    {
        string prefix = name + ":";
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    string value = line[prefix.Length..].Trim();
                    int space = value.IndexOf(' ');
                    return long.Parse(space > 0 ? value[..space] : value, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return null;
    }
}
