using System.CommandLine;
using GpuMF.Backends;
using GpuMF.Training;

namespace GpuMF.Cli;

/// <summary><c>--backend</c>, <c>--device</c>, <c>--devices</c> and <c>--threads</c>: where a command computes.</summary>
internal sealed class BackendArguments
{
    private static readonly string[] Words = ["auto", "cpu", "cuda", "opencl", "ilgpu-cpu"];

    /// <summary>The models whose training spreads over several devices.</summary>
    private static readonly string[] SeveralDeviceModels = ["als", "svd", "bpr", "warp"];

    /// <summary>Adds the options to <paramref name="command"/>; <paramref name="list"/> lets <c>--backend</c> name several, comma-separated (bench).</summary>
    public BackendArguments(Command command, bool list = false)
    {
        Backend = list
            ? new Option<string>("--backend", "-b")
            {
                Description = $"backends to run on, comma-separated: {Opt.Join(Words)} (auto: cuda, else an opencl GPU, else cpu; opencl is untested)",
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
            : Opt.Choice("--backend", "where to compute (auto: cuda, else an opencl GPU, else cpu; opencl is untested)", Words, "auto", "-b");
        Device = Opt.Int("--device", "which device of the backend", 0, 0, 1024);
        Threads = Opt.Int("--threads", "threads of the cpu backend (0: one per core)", 0, 0, 1024);
        Devices = new Option<string?>("--devices")
        {
            Description = "train, evaluate and tune with als, svd, bpr or warp (without features): several devices of the backend (comma-separated indices, or all); als splits each half-iteration's rows over them, svd, bpr and warp train blocks of users and items by stratified SGD; other commands run on one --device",
            HelpName = "I,I…|all",
            CustomParser = r =>
            {
                string text = r.Tokens[0].Value;
                if (ParseDevices(text) is null && !text.Equals("all", StringComparison.OrdinalIgnoreCase))
                {
                    r.AddError($"--devices must be distinct device indices ≥ 0, comma-separated (0,1), or all; got '{text}'.");
                }
                return text;
            },
        };
        command.Options.Add(Backend);
        command.Options.Add(Device);
        command.Options.Add(Devices);
        command.Options.Add(Threads);
    }

    /// <summary><c>--backend</c>.</summary>
    public Option<string> Backend { get; }

    /// <summary><c>--device</c>.</summary>
    public Option<int> Device { get; }

    /// <summary><c>--devices</c>: null when absent.</summary>
    public Option<string?> Devices { get; }

    /// <summary><c>--threads</c>.</summary>
    public Option<int> Threads { get; }

    /// <summary>The backends named (one, unless the option takes a list).</summary>
    public BackendKind[] Kinds(ParseResult parse) =>
        [.. parse.GetValue(Backend)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ComputeBackend.Parse)];

    /// <summary>Opens the backend named.</summary>
    /// <exception cref="BackendUnavailableException">It is not present.</exception>
    public ComputeBackend Open(ParseResult parse) => Open(Kinds(parse)[0], parse);

    /// <summary>
    /// Opens <paramref name="kind"/> with the device (or devices) and threads given. Several devices are for
    /// training ALS, SVD, BPR and WARP: a command without a <c>--model</c> of those given them is a usage error
    /// rather than a run on one of them.
    /// </summary>
    /// <exception cref="UsageException"><c>--device</c> and <c>--devices</c> were both given, or several devices for another model, another command or the cpu backend.</exception>
    public ComputeBackend Open(BackendKind kind, ParseResult parse)
    {
        string? devices = parse.GetValue(Devices);
        if (devices is null)
        {
            return ComputeBackend.Create(kind, parse.GetValue(Device), parse.GetValue(Threads));
        }
        if (parse.GetResult(Device) is { Implicit: false })
        {
            throw new UsageException("--device and --devices exclude each other: give one device with --device, or several with --devices.");
        }
        var list = ParseDevices(devices);
        if (list is not { Count: 1 })
        {
            if (kind == BackendKind.Cpu)
            {
                throw new UsageException("--devices names GPU devices (or ilgpu-cpu's simulated ones); the cpu backend is one device whose cores --threads sets.");
            }
            string? model = parse.CommandResult.Command.Options.OfType<Option<ModelFamily>>().FirstOrDefault(o => o.Name == "--model") is { } option
                ? parse.GetValue(option)?.Name
                : null;
            if (model is null || !SeveralDeviceModels.Contains(model))
            {
                throw new UsageException(model is null
                    ? $"--devices with several devices is for training {Opt.Join(SeveralDeviceModels)} (train or evaluate --model M); this command runs on one device (--device N)."
                    : $"--devices with several devices trains {Opt.Join(SeveralDeviceModels)}; {model} trains on one device (--device N).");
            }
        }
        return ComputeBackend.CreateGroup(kind, list, parse.GetValue(Threads));
    }

    /// <summary>Refuses features on several devices: the shared feature embeddings belong to no device's block of users and items.</summary>
    /// <exception cref="UsageException"><paramref name="features"/> and <paramref name="backend"/> holds several devices.</exception>
    public static void RequireOneDeviceForFeatures(ComputeBackend backend, bool features)
    {
        if (features && backend.Devices.Count > 1)
        {
            throw new UsageException("bpr and warp with features train on one device (--device N): every update reads and writes the feature embeddings, which all users and items share, so no device could train its own block of them apart from the others.");
        }
    }

    /// <summary>Distinct indices ≥ 0 from "0,1"; null for anything else ("all" included).</summary>
    private static List<int>? ParseDevices(string text)
    {
        var list = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) || list.Contains(index))
            {
                return null;
            }
            list.Add(index);
        }
        return list;
    }

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
