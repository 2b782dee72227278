namespace SciKernels.IO;

/// <summary>
/// Thrown when safetensors input is corrupt, truncated, hostile or otherwise not a valid safetensors file.
/// The reader converts every format problem into this one type; genuine I/O failures (missing file,
/// disk errors) still surface as their usual <see cref="IOException"/> subtypes.
/// Derives from <see cref="IOException"/> like <see cref="InvalidDataException"/> (which is sealed).
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">File path or stream description the problem was found in.</param>
    /// <param name="problem">What is wrong with the input.</param>
    /// <param name="innerException">Underlying parser error, if any.</param>
    public SafeTensorsFormatException(string source, string problem, Exception? innerException = null)
        : base($"Invalid safetensors data in '{source}': {problem}", innerException)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>File path or stream description the problem was found in.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with the input, without the source prefix.</summary>
    public string Problem { get; }
}
