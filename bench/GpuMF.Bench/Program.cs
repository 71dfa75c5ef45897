using BenchmarkDotNet.Running;

namespace GpuMF.Bench;

/// <summary>Runs the BenchmarkDotNet suite: <c>dotnet run -c Release --project bench/GpuMF.Bench -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
