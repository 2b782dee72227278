using System.Text;

namespace SciKernels.IO;

/// <summary>
/// Atomic file replacement: the content goes to a temp file next to the destination, is flushed to disk, and is
/// renamed over the destination, so a crash at any point leaves either the old file or the new one, never a torn
/// one. (The rename itself becomes durable when the file system commits the directory.)
/// </summary>
/// <remarks>
/// <para>The temp file is named <c>.NAME.&lt;32 hex digits&gt;.tmp</c> (hidden, next to <c>NAME</c>) and held open with
/// an exclusive lock while it is written. It is deleted when the write fails. A process killed before the rename
/// leaves it behind; every later write to the same path first deletes such leftovers that no live writer holds
/// (<see cref="CleanLeftovers"/>), so at most the temp files of writers still running remain.</para>
/// <para>safetensors files, checkpoints, extended-XYZ and neighbour-list files are written this way.</para>
/// </remarks>
public static class AtomicFile
{
    private const string TempSuffix = ".tmp";
    private const int GuidDigits = 32;

    /// <summary>Replaces <paramref name="path"/> atomically with what <paramref name="writeContent"/> writes.</summary>
    /// <param name="path">Destination file; its directory must exist.</param>
    /// <param name="writeContent">Writes the whole content to the stream it is given.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> does not name a file.</exception>
    /// <exception cref="IOException">The file could not be written; the previous file, if any, is untouched.</exception>
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeContent);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no parent directory.", nameof(path));
        if (fileName.Length == 0) throw new ArgumentException($"'{path}' does not name a file.", nameof(path));
        CleanLeftovers(fullPath);
        // Dot prefix hides the temp file from casual listings; the GUID avoids collisions between writers.
        string tempPath = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var fs = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeContent(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(tempPath); }
            catch (IOException) { } // best effort: the original error matters more
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Replaces <paramref name="path"/> atomically with <paramref name="text"/> (UTF-8, no byte-order mark).</summary>
    /// <param name="path">Destination file; its directory must exist.</param>
    /// <param name="text">The new content.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Deletes the temp files that interrupted atomic writes of <paramref name="path"/> left behind
    /// (<c>.NAME.&lt;32 hex digits&gt;.tmp</c> in its directory). A temp file that a live writer still holds open
    /// (its exclusive lock) is kept. Best effort: problems (permissions, a vanished directory) are ignored.
    /// </summary>
    /// <param name="path">The destination path whose leftovers are removed.</param>
    /// <returns>The number of files deleted.</returns>
    public static int CleanLeftovers(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string fileName = Path.GetFileName(fullPath);
        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is null || fileName.Length == 0) return 0;
        string prefix = "." + fileName + ".";
        int deleted = 0;
        try
        {
            foreach (string candidate in Directory.EnumerateFiles(directory, "*" + TempSuffix))
            {
                if (!IsTempNameOf(Path.GetFileName(candidate), prefix)) continue;
                try
                {
                    // Opening with FileShare.None fails while a writer holds the file; DeleteOnClose removes it on every OS.
                    using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
                    deleted++;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return deleted;
    }

    private static bool IsTempNameOf(string name, string prefix)
    {
        if (name.Length != prefix.Length + GuidDigits + TempSuffix.Length || !name.StartsWith(prefix, StringComparison.Ordinal)
            || !name.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        foreach (char c in name.AsSpan(prefix.Length, GuidDigits))
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}
