namespace SciKernels.Training.Distributed;

/// <summary>Reduction of <see cref="MpiComm.Allreduce{T}"/>.</summary>
public enum ReduceOp
{
    /// <summary>Element-wise sum (MPI_SUM).</summary>
    Sum,

    /// <summary>Element-wise minimum (MPI_MIN).</summary>
    Min,

    /// <summary>Element-wise maximum (MPI_MAX).</summary>
    Max,
}

/// <summary>
/// An MPI communicator over OpenMPI's <c>libmpi.so.40</c>: rank, size and the collectives data-parallel
/// training needs (Allreduce, Broadcast, Barrier), each turning an MPI error into an <see cref="MpiException"/>.
/// </summary>
/// <remarks>
/// <see cref="World"/> initialises MPI on first use only when the process was started by a launcher
/// (<c>mpirun</c>/<c>mpiexec</c>: <c>OMPI_COMM_WORLD_SIZE</c>; Slurm's <c>srun</c>: <c>PMI_SIZE</c> or
/// <c>PMIX_RANK</c>). Otherwise it is a one-process communicator whose collectives are no-ops, and libmpi is
/// never loaded: a plain run behaves exactly as before. Calls must not overlap (MPI_THREAD_SERIALIZED).
/// </remarks>
public sealed unsafe class MpiComm
{
    private static readonly Lock InitLock = new();
    private static MpiComm? world;
    private readonly IntPtr handle; // zero: the one-process stand-in

    private MpiComm(IntPtr handle, int rank, int size)
    {
        this.handle = handle;
        Rank = rank;
        Size = size;
    }

    /// <summary>True when a launcher started this process as one rank of a parallel job.</summary>
    public static bool IsLaunched =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null
        || Environment.GetEnvironmentVariable("PMI_SIZE") is not null
        || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>All ranks of the job (MPI_COMM_WORLD); a one-process stand-in when not <see cref="IsLaunched"/>.</summary>
    public static MpiComm World
    {
        get
        {
            lock (InitLock) return world ??= IsLaunched ? InitWorld() : new MpiComm(IntPtr.Zero, 0, 1);
        }
    }

    /// <summary>True once <see cref="World"/> has initialised MPI (and <see cref="Shutdown"/> or <see cref="Abort"/> are due).</summary>
    public static bool IsInitialized
    {
        get
        {
            lock (InitLock) return world is { UsesMpi: true };
        }
    }

    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>Number of ranks.</summary>
    public int Size { get; }

    /// <summary>True on rank 0, the rank that writes files.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>True when this is a real MPI communicator (libmpi loaded), even of one rank.</summary>
    public bool UsesMpi => handle != IntPtr.Zero;

    /// <summary>Sums (or takes the min/max of) <paramref name="data"/> element-wise over all ranks, in place.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="ulong"/>.</typeparam>
    /// <param name="data">This rank's values in, the reduction out; the same length on every rank.</param>
    /// <param name="op">The reduction.</param>
    public void Allreduce<T>(Span<T> data, ReduceOp op = ReduceOp.Sum) where T : unmanaged
    {
        IntPtr type = DataType<T>("MPI_Allreduce");
        if (!UsesMpi) return;
        IntPtr mpiOp = op switch
        {
            ReduceOp.Sum => MpiNative.OpSum,
            ReduceOp.Min => MpiNative.OpMin,
            ReduceOp.Max => MpiNative.OpMax,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "MPI_Allreduce: unknown reduction"),
        };
        fixed (T* p = data)
        {
            for (long off = 0; off < data.Length; off += int.MaxValue)
            {
                int count = (int)Math.Min(int.MaxValue, data.Length - off);
                MpiNative.Check(MpiNative.Allreduce(MpiNative.InPlace, p + off, count, type, mpiOp, handle), "MPI_Allreduce");
            }
        }
    }

    /// <summary>Copies <paramref name="data"/> from rank <paramref name="root"/> to every other rank.</summary>
    /// <typeparam name="T"><see cref="float"/>, <see cref="double"/>, <see cref="ulong"/> or <see cref="byte"/>.</typeparam>
    /// <param name="data">The root's values in; the root's values out on every rank (the same length everywhere).</param>
    /// <param name="root">The sending rank.</param>
    public void Broadcast<T>(Span<T> data, int root = 0) where T : unmanaged
    {
        IntPtr type = DataType<T>("MPI_Bcast");
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"MPI_Bcast: root {root} is not a rank of this {Size}-rank communicator");
        if (!UsesMpi) return;
        fixed (T* p = data)
        {
            for (long off = 0; off < data.Length; off += int.MaxValue)
            {
                int count = (int)Math.Min(int.MaxValue, data.Length - off);
                MpiNative.Check(MpiNative.Bcast(p + off, count, type, root, handle), "MPI_Bcast");
            }
        }
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier()
    {
        if (UsesMpi) MpiNative.Check(MpiNative.Barrier(handle), "MPI_Barrier");
    }

    /// <summary>
    /// Ends every rank of the job with <paramref name="exitCode"/> (MPI_Abort), so that no rank waits forever
    /// in a collective for one that failed. Without MPI it exits this process.
    /// </summary>
    /// <param name="exitCode">Exit code the launcher reports.</param>
    public void Abort(int exitCode)
    {
        if (UsesMpi) MpiNative.Abort(handle, exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Finalises MPI if <see cref="World"/> initialised it (idempotent; call once at the end of the program).</summary>
    public static void Shutdown()
    {
        lock (InitLock)
        {
            if (world is not { UsesMpi: true }) return;
            int finalized = 0;
            MpiNative.Check(MpiNative.Finalized(&finalized), "MPI_Finalized");
            if (finalized == 0) MpiNative.Check(MpiNative.Finalize(), "MPI_Finalize");
        }
    }

    private static MpiComm InitWorld()
    {
        int initialized = 0;
        MpiNative.Check(MpiNative.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            // SERIALIZED, not FUNNELED: the training loop may run on a thread other than the one that initialised MPI.
            int provided = 0;
            MpiNative.Check(MpiNative.InitThread(null, IntPtr.Zero, MpiNative.ThreadSerialized, &provided), "MPI_Init_thread");
            if (provided < MpiNative.ThreadSerialized)
                throw new MpiException("MPI_Init_thread", -1, $"the MPI library provides thread level {provided}, SciKernels needs MPI_THREAD_SERIALIZED ({MpiNative.ThreadSerialized})");
        }
        IntPtr comm = MpiNative.CommWorld;
        // Errors come back as codes (turned into exceptions) instead of aborting inside the library.
        MpiNative.Check(MpiNative.CommSetErrhandler(comm, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
        int rank = 0, size = 0;
        MpiNative.Check(MpiNative.CommRank(comm, &rank), "MPI_Comm_rank");
        MpiNative.Check(MpiNative.CommSize(comm, &size), "MPI_Comm_size");
        return new MpiComm(comm, rank, size);
    }

    private static IntPtr DataType<T>(string call) where T : unmanaged
    {
        bool mpi = world is { UsesMpi: true };
        if (typeof(T) == typeof(float)) return mpi ? MpiNative.Float : IntPtr.Zero;
        if (typeof(T) == typeof(double)) return mpi ? MpiNative.Double : IntPtr.Zero;
        if (typeof(T) == typeof(ulong)) return mpi ? MpiNative.UInt64 : IntPtr.Zero;
        if (typeof(T) == typeof(byte)) return mpi ? MpiNative.Byte : IntPtr.Zero;
        throw new NotSupportedException($"{call}: element type {typeof(T).Name} is not supported (float, double, ulong, byte)");
    }
}
