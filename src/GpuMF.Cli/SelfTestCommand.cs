using System.CommandLine;
using System.Globalization;
using GpuMF.Conformance;

namespace GpuMF.Cli;

/// <summary><c>gpumf selftest</c>: every kernel on an ILGPU backend against the managed CPU backend, a line per check as it finishes.</summary>
internal sealed class SelfTestCommand : CliCommand
{
    private readonly BackendArguments _backend;

    public SelfTestCommand()
        : base("selftest", "check every kernel on an ILGPU backend against the cpu backend, a line per check as it finishes")
    {
        _backend = new BackendArguments(Command);
    }

    public override int Run(ParseResult parse, CancellationToken cancellation)
    {
        using var backend = _backend.Open(parse);
        if (!backend.IsIlgpu)
        {
            throw new UsageException("selftest checks ILGPU kernels: pick --backend cuda, opencl or ilgpu-cpu.");
        }
        Console.Out.WriteLine($"self-test of every kernel on {BackendArguments.Describe(backend)} against the managed CPU backend");
        const string Row = "{0,-14}  {1,-42}  {2,14}  {3,9}  {4,7}  {5}";
        Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "kernel", "case", "max rel. error", "tolerance", "seconds", "result"));
        int passed = 0;
        int failed = 0;
        foreach (var r in KernelSelfTest.Each(backend))
        {
            Console.Out.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, r.Kernel, r.Case, r.MaxError.ToString("E2", CultureInfo.InvariantCulture), r.Tolerance.ToString("E0", CultureInfo.InvariantCulture), r.Seconds.ToString("F2", CultureInfo.InvariantCulture), r.Passed ? "pass" : "FAIL"));
            if (r.Passed)
            {
                passed++;
            }
            else
            {
                failed++;
            }
            cancellation.ThrowIfCancellationRequested();
        }
        Console.Out.WriteLine($"selftest: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
