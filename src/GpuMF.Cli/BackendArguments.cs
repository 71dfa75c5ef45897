using System.CommandLine;
using GpuMF.Backends;

namespace GpuMF.Cli;

/// <summary><c>--backend</c>, <c>--device</c> and <c>--threads</c>: where a command computes.</summary>
internal sealed class BackendArguments
{
    private static readonly string[] Words = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>Adds the options to <paramref name="command"/>; <paramref name="list"/> lets <c>--backend</c> name several, comma-separated (bench).</summary>
    public BackendArguments(Command command, bool list = false)
    {
        Backend = list
            ? new Option<string>("--backend", "-b")
            {
                Description = $"backends to run on, comma-separated: {Opt.Join(Words)} (auto: cuda, else an opencl GPU, else cpu)",
                HelpName = "B,B…",
                DefaultValueFactory = _ => "auto",
                CustomParser = r =>
                {
                    string text = r.Tokens[0].Value;
                    var bad = text.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(w => !Words.Contains(w.ToLowerInvariant()));
                    if (bad is not null)
                    {
                        r.AddError($"--backend must list {Opt.Join(Words)}; got '{bad}'.");
                    }
                    return text;
                },
            }
            : Opt.Choice("--backend", "where to compute (auto: cuda, else an opencl GPU, else cpu)", Words, "auto", "-b");
        Device = Opt.Int("--device", "which device of the backend", 0, 0, 1024);
        Threads = Opt.Int("--threads", "threads of the cpu backend (0: one per core)", 0, 0, 1024);
        command.Options.Add(Backend);
        command.Options.Add(Device);
        command.Options.Add(Threads);
    }

    /// <summary><c>--backend</c>.</summary>
    public Option<string> Backend { get; }

    /// <summary><c>--device</c>.</summary>
    public Option<int> Device { get; }

    /// <summary><c>--threads</c>.</summary>
    public Option<int> Threads { get; }

    /// <summary>The backends named (one, unless the option takes a list).</summary>
    public BackendKind[] Kinds(ParseResult parse) =>
        [.. parse.GetValue(Backend)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ComputeBackend.Parse)];

    /// <summary>Opens the backend named.</summary>
    /// <exception cref="BackendUnavailableException">It is not present.</exception>
    public ComputeBackend Open(ParseResult parse) => Open(Kinds(parse)[0], parse);

    /// <summary>Opens <paramref name="kind"/> with the device and threads given.</summary>
    public ComputeBackend Open(BackendKind kind, ParseResult parse) => ComputeBackend.Create(kind, parse.GetValue(Device), parse.GetValue(Threads));

    /// <summary>The name of a backend as <c>--backend</c> spells it: in text and JSON alike.</summary>
    public static string Name(BackendKind kind) => kind switch
    {
        BackendKind.Cpu => "cpu",
        BackendKind.Cuda => "cuda",
        BackendKind.OpenCL => "opencl",
        BackendKind.IlgpuCpu => "ilgpu-cpu",
        _ => "auto",
    };

    /// <summary>A backend in words: its name and device.</summary>
    public static string Describe(ComputeBackend backend) => $"{Name(backend.Kind)} ({backend.DeviceName})";
}
