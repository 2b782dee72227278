namespace SciKernels.Cli;

/// <summary>Files of a training run's output folder.</summary>
internal static class RunFiles
{
    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> atomically: a temporary file next to it,
    /// then a rename, so a reader never sees a half-written file.
    /// </summary>
    public static void WriteAllTextAtomically(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}
