namespace SciKernels.Training.Distributed;

/// <summary>An MPI call returned an error (the communicator is set to MPI_ERRORS_RETURN).</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="call">The MPI function, e.g. <c>MPI_Allreduce</c>.</param>
    /// <param name="errorCode">Its return code.</param>
    /// <param name="description">MPI_Error_string of the code.</param>
    public MpiException(string call, int errorCode, string description)
        : base($"{call} failed with MPI error {errorCode}: {description}")
    {
        Call = call;
        ErrorCode = errorCode;
    }

    /// <summary>The MPI function that failed.</summary>
    public string Call { get; }

    /// <summary>Its MPI error code.</summary>
    public int ErrorCode { get; }
}
