using System.Diagnostics;

namespace GpuMF.Tests.Mpi;

/// <summary>Starts the console host as an Open MPI job, as a cluster's batch script does (every rank on this machine).</summary>
internal static class MpiRunner
{
    /// <summary>mpirun on PATH; the tests fail (not skip) without it, since CI installs Open MPI.</summary>
    public static string Mpirun =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "mpirun"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mpirun not found: install Open MPI (apt-get install -y --no-install-recommends openmpi-bin libopenmpi-dev), as .ci/run does.");

    /// <summary>
    /// Starts <c>mpirun</c> with one <c>gpumf</c> command line per group of ranks (mpirun's "A : B" form), standard
    /// output and error redirected. TERM=dumb keeps the runtime from writing terminal modes to the ranks' terminals;
    /// shared memory without single-copy transfers works in containers that forbid one process reading another's memory.
    /// </summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params (int Ranks, string[] Args)[] groups)
    {
        var start = new ProcessStartInfo(Mpirun)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var list = start.ArgumentList;
        foreach (string a in new[] { "--oversubscribe", "--allow-run-as-root", "--mca", "btl_vader_single_copy_mechanism", "none", "-x", "TERM=dumb" })
        {
            list.Add(a);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            list.Add("-x");
            list.Add($"{name}={value}");
        }
        for (int g = 0; g < groups.Length; g++)
        {
            if (g > 0)
            {
                list.Add(":");
            }
            list.Add("-np");
            list.Add(groups[g].Ranks.ToString(System.Globalization.CultureInfo.InvariantCulture));
            list.Add("dotnet");
            list.Add(Path.Combine(AppContext.BaseDirectory, "GpuMF.Cli.dll"));
            foreach (string a in groups[g].Args)
            {
                list.Add(a);
            }
        }
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs <paramref name="ranks"/> ranks of <c>gpumf</c> <paramref name="args"/> to the end.</summary>
    public static (int Code, string Out, string Err) Run(int ranks, params string[] args) => Run(null, (ranks, args));

    /// <summary>Runs the job to the end (at most two minutes).</summary>
    public static (int Code, string Out, string Err) Run(IReadOnlyDictionary<string, string>? environment, params (int Ranks, string[] Args)[] groups)
    {
        using var process = Start(environment, groups);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the MPI job did not end within two minutes: {stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The lines of <paramref name="text"/> that gpumf wrote as errors.</summary>
    public static string[] GpumfLines(string text) => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("gpumf:", StringComparison.Ordinal))];
}
