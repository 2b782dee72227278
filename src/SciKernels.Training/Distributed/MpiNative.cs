using System.Runtime.InteropServices;

namespace SciKernels.Training.Distributed;

/// <summary>
/// The few OpenMPI entry points SciKernels uses, bound at run time from <c>libmpi.so.40</c> (OpenMPI 4/5).
/// </summary>
/// <remarks>
/// OpenMPI's ABI makes every handle (<c>MPI_Comm</c>, <c>MPI_Datatype</c>, <c>MPI_Op</c>,
/// <c>MPI_Errhandler</c>) a pointer to a global object such as <c>ompi_mpi_comm_world</c>, so the
/// handles are the addresses of those exported symbols. The library is loaded with RTLD_GLOBAL
/// because OpenMPI's plug-ins (dlopened by MPI_Init) resolve symbols of libmpi itself.
/// Loaded only on first use, i.e. only when the process was started by mpirun.
/// </remarks>
internal static unsafe class MpiNative
{
    public const int Success = 0;
    public const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED in OpenMPI's mpi.h
    public static readonly IntPtr InPlace = 1; // MPI_IN_PLACE is (void*)1 in OpenMPI

    public static readonly IntPtr Library;
    public static readonly IntPtr CommWorld, Float, Double, UInt64, Byte, OpSum, OpMin, OpMax, ErrorsReturn;

    public static readonly delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread;
    public static readonly delegate* unmanaged<int*, int> Initialized;
    public static readonly delegate* unmanaged<int*, int> Finalized;
    public static readonly delegate* unmanaged<int> Finalize;
    public static readonly delegate* unmanaged<IntPtr, int, int> Abort;
    public static readonly delegate* unmanaged<IntPtr, int*, int> CommRank;
    public static readonly delegate* unmanaged<IntPtr, int*, int> CommSize;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, int> CommSetErrhandler;
    public static readonly delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce;
    public static readonly delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast;
    public static readonly delegate* unmanaged<IntPtr, int> Barrier;
    public static readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;

    static MpiNative()
    {
        const string name = "libmpi.so.40";
        Library = dlopen(name, RtldNow | RtldGlobal);
        if (Library == IntPtr.Zero)
            throw new DllNotFoundException($"MPI: cannot load {name} ({Marshal.PtrToStringUTF8(dlerror()) ?? "no reason given"}); install OpenMPI (apt-get install openmpi-bin libopenmpi-dev)");
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        UInt64 = Export("ompi_mpi_uint64_t");
        Byte = Export("ompi_mpi_byte");
        OpSum = Export("ompi_mpi_op_sum");
        OpMin = Export("ompi_mpi_op_min");
        OpMax = Export("ompi_mpi_op_max");
        ErrorsReturn = Export("ompi_mpi_errors_return");
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)Export("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        Abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<IntPtr, IntPtr, int>)Export("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<IntPtr, void*, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        Barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
    }

    /// <summary>Throws <see cref="MpiException"/> naming <paramref name="call"/> unless <paramref name="code"/> is MPI_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code != Success) throw new MpiException(call, code, Describe(code));
    }

    private static string Describe(int code)
    {
        var text = stackalloc byte[512]; // MPI_MAX_ERROR_STRING is 256 in OpenMPI
        int len = 0;
        return ErrorString(code, text, &len) == Success && len > 0 ? Marshal.PtrToStringUTF8((IntPtr)text, len) : "unknown MPI error";
    }

    private static IntPtr Export(string symbol)
    {
        IntPtr p = dlsym(Library, symbol);
        if (p == IntPtr.Zero) throw new EntryPointNotFoundException($"MPI: libmpi.so.40 has no symbol {symbol}; SciKernels needs OpenMPI's ABI (MPICH and Intel MPI are not supported)");
        return p;
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    // NativeLibrary.Load opens with RTLD_LOCAL, which hides libmpi's symbols from OpenMPI's plug-ins.
    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc", EntryPoint = "dlsym")]
    private static extern IntPtr dlsym(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol);

    [DllImport("libc", EntryPoint = "dlerror")]
    private static extern IntPtr dlerror();
}
