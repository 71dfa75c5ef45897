using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuMF.Backends;

/// <summary>
/// An open backend: for the ILGPU kinds it owns the ILGPU context and accelerator (and the kernels
/// loaded on it); for <see cref="BackendKind.Cpu"/> it holds the degree of parallelism. Create one,
/// share it between trainers and scorers, dispose it at the end.
/// </summary>
public sealed class ComputeBackend : IDisposable
{
    private readonly Context? _context;
    private readonly Dictionary<Type, object> _kernelSets = new();
    private readonly ComputeBackend[] _members = [];
    private long _memoryBudget;

    private ComputeBackend(BackendKind kind, int threads, Context? context, Accelerator? accelerator)
    {
        Kind = kind;
        Threads = threads;
        _context = context;
        Accelerator = accelerator;
        DeviceName = accelerator?.Name ?? $"managed CPU ({threads} threads)";
        MemoryBudget = accelerator?.MemorySize ?? 0;
    }

    /// <summary>A group of devices sharing <paramref name="context"/>; its own accelerator is the first member's.</summary>
    private ComputeBackend(Context context, ComputeBackend[] members, BackendKind kind, int threads)
        : this(kind, threads, context, members[0].Accelerator)
    {
        _members = members;
        DeviceName = $"{members.Length} devices: {string.Join(", ", members.Select(m => m.DeviceName))}";
    }

    /// <summary>What to do when training does not fit on the device.</summary>
    internal const string TrainingAdvice = "train with fewer factors (--factors) or on less data, or on the cpu backend (--backend cpu)";

    /// <summary>What to do when batch scoring does not fit on the device.</summary>
    internal const string ScoringAdvice = "score with a smaller N (--n) or a model with fewer factors, or on the cpu backend (--backend cpu)";

    /// <summary>The resolved kind (never <see cref="BackendKind.Auto"/>).</summary>
    public BackendKind Kind { get; }

    /// <summary>The device's name.</summary>
    public string DeviceName { get; }

    /// <summary>Worker threads of the managed CPU backend.</summary>
    public int Threads { get; }

    /// <summary>The ILGPU accelerator, null for <see cref="BackendKind.Cpu"/>.</summary>
    internal Accelerator? Accelerator { get; }

    /// <summary>True for the kinds that run ILGPU kernels (what the console host tells its users; engines are made by <see cref="CreateEngine"/>).</summary>
    public bool IsIlgpu => Accelerator is not null;

    /// <summary>
    /// The devices this backend computes on: itself, or for a backend opened with several devices
    /// (<see cref="CreateGroup"/>) one backend per device, in the order asked for.
    /// </summary>
    public IReadOnlyList<ComputeBackend> Devices => _members.Length > 0 ? _members : [this];

    /// <summary>
    /// The one place that tells backends apart: the engine <paramref name="factory"/> makes for this backend.
    /// On several devices only a factory that spreads its work over them (<see cref="IDeviceGroupEngineFactory{TEngine}"/>:
    /// the training of ALS, SVD, BPR and WARP without features) is accepted; any other is refused rather than run on one of the devices.
    /// </summary>
    /// <typeparam name="TEngine">The engine made.</typeparam>
    /// <exception cref="NotSupportedException">The backend holds several devices and the factory's engine runs on one.</exception>
    public TEngine CreateEngine<TEngine>(IEngineFactory<TEngine> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (_members.Length > 1)
        {
            return factory is IDeviceGroupEngineFactory<TEngine> group
                ? group.ForDevices(_members)
                : throw new NotSupportedException($"This job runs on one device, but the backend holds {DeviceName}; only the training of ALS, SVD, BPR and WARP runs on several devices. BPR and WARP with features do not: every update reads and writes the shared feature embeddings, so no device could train its block of users and items apart from the others. Scoring, fold-in and updates run on one device too: open the backend with one device (--device N).");
        }
        return Accelerator is null ? factory.ForManagedCpu(Threads) : factory.ForIlgpu(this);
    }

    /// <summary>
    /// Device memory a job may use, in bytes: the accelerator's whole memory unless set lower (tests set it
    /// small to exercise <see cref="DeviceMemoryException"/> and the streaming of ALS, SVD, BPR and WARP on the CPU accelerator); 0 for
    /// the managed CPU. On several devices, the first device's; setting it sets every device's.
    /// </summary>
    internal long MemoryBudget
    {
        get => _members.Length > 0 ? _members[0].MemoryBudget : _memoryBudget;
        set
        {
            _memoryBudget = value;
            foreach (var member in _members)
            {
                member.MemoryBudget = value;
            }
        }
    }

    /// <summary>
    /// Opens a backend. <see cref="BackendKind.Auto"/> picks CUDA, then an OpenCL GPU, then the managed CPU.
    /// </summary>
    /// <param name="kind">The backend (default Auto).</param>
    /// <param name="deviceIndex">Which device of that kind (default 0).</param>
    /// <param name="threads">Threads of the managed CPU backend; 0 (default) uses every core. Ignored by the others.</param>
    /// <exception cref="BackendUnavailableException">A backend named explicitly is not present.</exception>
    public static ComputeBackend Create(BackendKind kind = BackendKind.Auto, int deviceIndex = 0, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        int cpuThreads = threads == 0 ? Environment.ProcessorCount : threads;
        if (kind == BackendKind.Cpu)
        {
            return new ComputeBackend(BackendKind.Cpu, cpuThreads, null, null);
        }
        var context = CreateContext();
        try
        {
            if (kind == BackendKind.Auto)
            {
                if (CudaDevices(context).Count > 0)
                {
                    kind = BackendKind.Cuda;
                }
                else if (OpenClGpus(context).Count > 0)
                {
                    kind = BackendKind.OpenCL;
                }
                else
                {
                    context.Dispose();
                    return new ComputeBackend(BackendKind.Cpu, cpuThreads, null, null);
                }
            }
            return new ComputeBackend(kind, cpuThreads, context, Open(context, kind, deviceIndex));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens several devices of one kind as one backend, for the jobs that spread over devices (the training of ALS, SVD, BPR and WARP;
    /// any other job's <see cref="CreateEngine"/> refuses it). On <see cref="BackendKind.IlgpuCpu"/> each index
    /// opens one more simulated device. One index opens that device alone, as <see cref="Create"/> does.
    /// </summary>
    /// <param name="kind">The backend: <see cref="BackendKind.Cuda"/>, <see cref="BackendKind.OpenCL"/>, <see cref="BackendKind.IlgpuCpu"/>, or Auto (CUDA, then an OpenCL GPU; with no GPU, the managed CPU when every device is asked for).</param>
    /// <param name="devices">Distinct device indices of that kind (≥ 0), or null for every device present.</param>
    /// <param name="threads">Threads of the managed CPU backend; 0 (default) uses every core.</param>
    /// <exception cref="ArgumentException">An index is negative or repeated, or several devices were asked of the managed CPU backend.</exception>
    /// <exception cref="BackendUnavailableException">The kind or a device is not present.</exception>
    public static ComputeBackend CreateGroup(BackendKind kind, IReadOnlyList<int>? devices, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (devices is not null)
        {
            if (devices.Count == 0 || devices.Any(d => d < 0) || devices.Distinct().Count() != devices.Count)
            {
                throw new ArgumentException($"Devices must be distinct indices ≥ 0; got [{string.Join(", ", devices)}].", nameof(devices));
            }
            if (devices.Count == 1)
            {
                return Create(kind, devices[0], threads);
            }
            if (kind == BackendKind.Cpu)
            {
                throw new ArgumentException("The cpu backend is one device (its cores are set by --threads); several devices need cuda, opencl or ilgpu-cpu.", nameof(devices));
            }
        }
        if (kind == BackendKind.Cpu)
        {
            return Create(kind, 0, threads);
        }
        int cpuThreads = threads == 0 ? Environment.ProcessorCount : threads;
        var context = CreateContext();
        var members = new List<ComputeBackend>();
        try
        {
            if (kind == BackendKind.Auto)
            {
                kind = CudaDevices(context).Count > 0 ? BackendKind.Cuda : OpenClGpus(context).Count > 0 ? BackendKind.OpenCL : BackendKind.Cpu;
            }
            if (kind == BackendKind.Cpu)
            {
                context.Dispose();
                return devices is null ? Create(kind, 0, threads) : throw new BackendUnavailableException("Several devices were asked for, but no CUDA or OpenCL GPU is present (run 'gpumf devices' to list what is).");
            }
            var indices = devices ?? [.. Enumerable.Range(0, kind switch
            {
                BackendKind.Cuda => CudaDevices(context).Count,
                BackendKind.OpenCL => OpenClGpus(context).Count,
                _ => 1,
            })];
            if (indices.Count == 1)
            {
                return new ComputeBackend(kind, cpuThreads, context, Open(context, kind, indices[0]));
            }
            foreach (int index in indices)
            {
                members.Add(new ComputeBackend(kind, cpuThreads, null, Open(context, kind, index)));
            }
            return new ComputeBackend(context, [.. members], kind, cpuThreads);
        }
        catch
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
            context.Dispose();
            throw;
        }
    }

    /// <summary>Parses a backend name (auto, cpu, cuda, opencl, ilgpu-cpu; case-insensitive).</summary>
    public static BackendKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => BackendKind.Auto,
        "cpu" => BackendKind.Cpu,
        "cuda" => BackendKind.Cuda,
        "opencl" => BackendKind.OpenCL,
        "ilgpu-cpu" or "ilgpucpu" => BackendKind.IlgpuCpu,
        _ => throw new ArgumentException($"Unknown backend '{name}': expected auto, cpu, cuda, opencl or ilgpu-cpu."),
    };

    /// <summary>Every device present, for every backend.</summary>
    public static IReadOnlyList<DeviceDescription> ListDevices()
    {
        var list = new List<DeviceDescription>
        {
            new(BackendKind.Cpu, 0, $"managed CPU, {Environment.ProcessorCount} threads", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1, 1),
        };
        using var context = CreateContext();
        var cuda = CudaDevices(context);
        for (int i = 0; i < cuda.Count; i++)
        {
            list.Add(Describe(BackendKind.Cuda, i, cuda[i]));
        }
        var cl = OpenClGpus(context);
        for (int i = 0; i < cl.Count; i++)
        {
            list.Add(Describe(BackendKind.OpenCL, i, cl[i]));
        }
        list.Add(Describe(BackendKind.IlgpuCpu, 0, context.GetCPUDevice(0)));
        return list;
    }

    /// <summary>
    /// Returns the kernel set of type <typeparamref name="T"/> for this accelerator, loading it on first
    /// use, so that each kernel is compiled once per backend.
    /// </summary>
    internal T Kernels<T>(Func<Accelerator, T> load) where T : class
    {
        if (_members.Length > 0)
        {
            return _members[0].Kernels(load);
        }
        var accelerator = Accelerator ?? throw new InvalidOperationException("The managed CPU backend has no kernels.");
        lock (_kernelSets)
        {
            if (!_kernelSets.TryGetValue(typeof(T), out var set))
            {
                _kernelSets[typeof(T)] = set = load(accelerator);
            }
            return (T)set;
        }
    }

    /// <summary>
    /// Throws <see cref="DeviceMemoryException"/> when <paramref name="footprint"/> exceeds <see cref="MemoryBudget"/>:
    /// the check a job makes before it allocates anything, so that a job too large fails before any work.
    /// </summary>
    /// <param name="footprint">Every buffer the job will allocate.</param>
    /// <param name="what">The job, as the message names it ("SVD training").</param>
    /// <param name="advice">What to do instead, as the message ends.</param>
    internal void EnsureFits(DeviceFootprint footprint, string what, string advice)
    {
        if (footprint.Bytes > MemoryBudget)
        {
            throw new DeviceMemoryException(
                $"{what} needs {Mib(footprint.Bytes)} MiB of device memory, but {DeviceName} has {Mib(MemoryBudget)} MiB: {advice}.",
                footprint.Bytes,
                MemoryBudget);
        }
    }

    /// <summary>Allocates a device buffer, turning out-of-memory into an error that says what to do.</summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length, string what) where T : unmanaged
    {
        var accelerator = Accelerator ?? throw new InvalidOperationException("The managed CPU backend has no device memory.");
        long bytes = new DeviceFootprint().Add<T>(length).Bytes;
        if (bytes > MemoryBudget)
        {
            throw AllocationFailed(bytes, what, null);
        }
        try
        {
            return accelerator.Allocate1D<T>(Math.Max(1, length));
        }
        catch (Exception e) when (e is OutOfMemoryException or AcceleratorException)
        {
            throw AllocationFailed(bytes, what, e);
        }
    }

    /// <summary>Allocates a device buffer of <paramref name="data"/>'s length (as <see cref="Allocate"/>) and copies the array into it.</summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] data, string what) where T : unmanaged
    {
        var buffer = Allocate<T>(data.Length, what);
        if (data.Length > 0)
        {
            buffer.View.SubView(0, data.Length).CopyFromCPU(data);
        }
        return buffer;
    }

    private DeviceMemoryException AllocationFailed(long bytes, string what, Exception? inner) => new(
        $"{DeviceName} could not allocate {Mib(bytes)} MiB for {what} ({Mib(MemoryBudget)} MiB on the device, part of it in use): use fewer factors, a smaller N or batch, or the cpu backend (--backend cpu).",
        bytes,
        MemoryBudget,
        inner);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_members.Length > 0)
        {
            foreach (var member in _members)
            {
                member.Dispose();
            }
        }
        else
        {
            foreach (var set in _kernelSets.Values)
            {
                (set as IDisposable)?.Dispose();
            }
            Accelerator?.Dispose();
        }
        _context?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} ({DeviceName})";

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static Context CreateContext() =>
        Context.Create(builder => builder.Default().EnableAlgorithms().Math(MathMode.Fast32BitOnly));

    /// <summary>Device <paramref name="index"/> of <paramref name="kind"/> as an accelerator; on the CPU accelerator every call is a new simulated device.</summary>
    private static Accelerator Open(Context context, BackendKind kind, int index) => kind switch
    {
        BackendKind.Cuda => Pick(CudaDevices(context), index, "CUDA").CreateAccelerator(context),
        BackendKind.OpenCL => Pick(OpenClGpus(context), index, "OpenCL").CreateAccelerator(context),
        BackendKind.IlgpuCpu => context.CreateCPUAccelerator(0),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown backend."),
    };

    private static List<CLDevice> OpenClGpus(Context context) =>
        Collect(context.GetCLDevices(), d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);

    private static List<CudaDevice> CudaDevices(Context context) => Collect(context.GetCudaDevices(), _ => true);

    private static List<T> Collect<T>(Context.DeviceCollection<T> devices, Func<T, bool> keep) where T : Device
    {
        var list = new List<T>();
        foreach (var d in devices)
        {
            if (keep(d))
            {
                list.Add(d);
            }
        }
        return list;
    }

    private static Device Pick<TDevice>(IReadOnlyList<TDevice> devices, int index, string what) where TDevice : Device
    {
        if (devices.Count == 0)
        {
            throw new BackendUnavailableException($"The {what} backend was asked for, but no {what} device is present (run 'gpumf devices' to list what is). Use --backend cpu or auto.");
        }
        if (index >= devices.Count)
        {
            throw new BackendUnavailableException($"{what} device {index} was asked for, but only {devices.Count} are present.");
        }
        return devices[index];
    }

    private static DeviceDescription Describe(BackendKind kind, int index, Device d) =>
        new(kind, index, d.Name, d.MemorySize, d.WarpSize, d.MaxNumThreadsPerGroup);
}
