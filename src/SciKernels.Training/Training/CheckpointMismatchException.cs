namespace SciKernels.Training;

/// <summary>A checkpoint does not fit the model or optimizer it is loaded into.</summary>
public sealed class CheckpointMismatchException : Exception
{
    /// <summary>Creates the exception for tensor <paramref name="tensorName"/>.</summary>
    public CheckpointMismatchException(string tensorName, string message) : base(message) => TensorName = tensorName;

    /// <summary>Creates the exception for tensor <paramref name="tensorName"/>, caused by <paramref name="inner"/>.</summary>
    public CheckpointMismatchException(string tensorName, string message, Exception inner) : base(message, inner) => TensorName = tensorName;

    /// <summary>The parameter, buffer or state tensor that did not match.</summary>
    public string TensorName { get; }
}
