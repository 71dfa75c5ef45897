using System.Runtime.InteropServices;

namespace GpuMF.Mpi;

/// <summary>
/// The few Open MPI calls GpuMF needs, bound at run time to the library found by name (<c>libmpi.so.40</c>, then
/// <c>libmpi.so</c>, or the file <c>GPUMF_MPI_LIBRARY</c> names). Open MPI's predefined handles (the world
/// communicator, the datatypes, the sum operation) are the addresses of globals the library exports, so they are
/// looked up as exports too. Error codes are not checked: MPI's default error handler on the world communicator
/// aborts the whole job on any error, which is what a training job wants.
/// </summary>
internal static unsafe class MpiNative
{
    /// <summary>The environment variable that names the MPI library file to load instead of searching by name.</summary>
    public const string LibraryVariable = "GPUMF_MPI_LIBRARY";

    /// <summary>What to install when the library is missing.</summary>
    public const string InstallAdvice = "install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev), or name the library file in " + LibraryVariable;

    /// <summary>MPI_THREAD_SERIALIZED: one thread at a time calls MPI, not always the same one.</summary>
    public const int ThreadSerialized = 2;

    /// <summary>MPI_IN_PLACE in Open MPI.</summary>
    public static readonly IntPtr InPlace = 1;

    private static readonly Lazy<IntPtr> Library = new(Load);

    public static IntPtr CommWorld => Export("ompi_mpi_comm_world");

    public static IntPtr Float => Export("ompi_mpi_float");

    public static IntPtr Double => Export("ompi_mpi_double");

    public static IntPtr Int => Export("ompi_mpi_int");

    public static IntPtr Byte => Export("ompi_mpi_byte");

    public static IntPtr Sum => Export("ompi_mpi_op_sum");

    public static int InitThread(int required)
    {
        int provided;
        ((delegate* unmanaged<int*, IntPtr, int, int*, int>)Export("MPI_Init_thread"))(null, 0, required, &provided);
        return provided;
    }

    public static bool Initialized()
    {
        int flag;
        ((delegate* unmanaged<int*, int>)Export("MPI_Initialized"))(&flag);
        return flag != 0;
    }

    public static void FinalizeMpi() => ((delegate* unmanaged<int>)Export("MPI_Finalize"))();

    public static int Rank(IntPtr comm)
    {
        int rank;
        ((delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank"))(comm, &rank);
        return rank;
    }

    public static int Size(IntPtr comm)
    {
        int size;
        ((delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size"))(comm, &size);
        return size;
    }

    public static void Allreduce(void* send, void* receive, int count, IntPtr type, IntPtr op, IntPtr comm) =>
        ((delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce"))(send, receive, count, type, op, comm);

    public static void Allgatherv(void* send, int sendCount, IntPtr sendType, void* receive, int* counts, int* displacements, IntPtr receiveType, IntPtr comm) =>
        ((delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, int>)Export("MPI_Allgatherv"))(send, sendCount, sendType, receive, counts, displacements, receiveType, comm);

    public static void Bcast(void* buffer, int count, IntPtr type, int root, IntPtr comm) =>
        ((delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast"))(buffer, count, type, root, comm);

    /// <summary>MPI_Sendrecv with MPI_STATUS_IGNORE (a null pointer in Open MPI).</summary>
    public static void Sendrecv(void* send, int sendCount, IntPtr sendType, int destination, void* receive, int receiveCount, IntPtr receiveType, int source, IntPtr comm) =>
        ((delegate* unmanaged<void*, int, IntPtr, int, int, void*, int, IntPtr, int, int, IntPtr, void*, int>)Export("MPI_Sendrecv"))(send, sendCount, sendType, destination, 0, receive, receiveCount, receiveType, source, 0, comm, null);

    public static void Barrier(IntPtr comm) => ((delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier"))(comm);

    public static void Abort(IntPtr comm, int code) => ((delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort"))(comm, code);

    /// <summary>A contiguous datatype of <paramref name="count"/> elements, committed; counts in rows keep large matrices within MPI's int counts.</summary>
    public static IntPtr Contiguous(int count, IntPtr type)
    {
        IntPtr made;
        ((delegate* unmanaged<int, IntPtr, IntPtr*, int>)Export("MPI_Type_contiguous"))(count, type, &made);
        ((delegate* unmanaged<IntPtr*, int>)Export("MPI_Type_commit"))(&made);
        return made;
    }

    public static void FreeType(IntPtr type) => ((delegate* unmanaged<IntPtr*, int>)Export("MPI_Type_free"))(&type);

    /// <summary>Loads the library now, so that a missing one is reported before any work.</summary>
    /// <exception cref="MpiUnavailableException">It cannot be loaded.</exception>
    public static void Require() => _ = Library.Value;

    private static IntPtr Export(string name) =>
        NativeLibrary.TryGetExport(Library.Value, name, out var address)
            ? address
            : throw new MpiUnavailableException($"the MPI library lacks {name}: GpuMF binds Open MPI (4.x); {InstallAdvice}.");

    private static IntPtr Load()
    {
        if (Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } path)
        {
            return NativeLibrary.TryLoad(path, out var named)
                ? named
                : throw new MpiUnavailableException($"{LibraryVariable}={path}: the MPI library could not be loaded; {InstallAdvice}.");
        }
        foreach (string name in new[] { "libmpi.so.40", "libmpi.so" })
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return handle;
            }
        }
        throw new MpiUnavailableException($"the Open MPI library (libmpi.so.40 or libmpi.so) was not found; {InstallAdvice}.");
    }
}
