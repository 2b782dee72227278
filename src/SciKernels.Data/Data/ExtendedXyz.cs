using System.Globalization;
using System.Text;
using SciKernels.IO;

namespace SciKernels.Data;

/// <summary>A malformed or truncated extended-XYZ file; the message names the file and the line.</summary>
public sealed class ExtendedXyzFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="path"/> at 1-based <paramref name="line"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="line">1-based line number (0 when the problem is the file as a whole).</param>
    /// <param name="message">What is wrong.</param>
    public ExtendedXyzFormatException(string path, int line, string message)
        : base(line > 0 ? $"{path}:{line}: {message}" : $"{path}: {message}")
    {
        Path = path;
        Line = line;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>1-based line of the problem (0: the whole file).</summary>
    public int Line { get; }
}

/// <summary>
/// Reads and writes extended-XYZ files as ASE does: per frame, a line with the atom count, a comment
/// line of key=value pairs (<c>Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3
/// pbc="T T T"</c>) and one row per atom. Multi-frame files are frames back to back.
/// </summary>
/// <remarks>
/// Reading is strict: every problem (a bad count, a missing or extra column, a number that does not
/// parse, a truncated frame) is an <see cref="ExtendedXyzFormatException"/> naming the file and line.
/// An atom count is checked against the bytes left in the file before anything is allocated for it.
/// Writing goes through a temporary file and a rename, so a reader never sees a half-written file.
/// </remarks>
public static class ExtendedXyz
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads every frame of <paramref name="path"/>.</summary>
    /// <param name="path">The extended-XYZ file.</param>
    public static List<XyzFrame> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = File.ReadAllText(path);
        var reader = new LineReader(path, text);
        var frames = new List<XyzFrame>();
        while (reader.SkipBlankLinesAtEnd()) frames.Add(ReadFrame(reader));
        if (frames.Count == 0) throw new ExtendedXyzFormatException(path, 0, "no frames (the file is empty)");
        return frames;
    }

    /// <summary>Reads frame <paramref name="index"/> (0-based) of <paramref name="path"/>.</summary>
    /// <param name="path">The extended-XYZ file.</param>
    /// <param name="index">0-based frame index.</param>
    public static XyzFrame ReadFrame(string path, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var frames = Read(path);
        if (index >= frames.Count) throw new ExtendedXyzFormatException(path, 0, $"frame {index} requested but the file has {frames.Count} frame(s)");
        return frames[index];
    }

    /// <summary>Writes <paramref name="frames"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="frames">Frames to write, in order.</param>
    public static void Write(string path, IEnumerable<XyzFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(frames);
        var sb = new StringBuilder();
        foreach (var f in frames) Format(f, sb);
        var bytes = new UTF8Encoding(false).GetBytes(sb.ToString());
        SafeTensorsFile.WriteAtomic(path, s => s.Write(bytes));
    }

    /// <summary>
    /// Appends one frame to <paramref name="writer"/> in the format <see cref="Write"/> uses, for trajectories
    /// streamed frame by frame (write to a temporary file and rename it at the end: the file is not atomic).
    /// </summary>
    /// <param name="writer">The destination (UTF-8, '\n' line ends are written explicitly).</param>
    /// <param name="frame">The frame.</param>
    public static void WriteFrame(TextWriter writer, XyzFrame frame)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(frame);
        var sb = new StringBuilder();
        Format(frame, sb);
        writer.Write(sb.ToString());
    }

    private static void Format(XyzFrame f, StringBuilder sb)
    {
        sb.Append(f.NumAtoms.ToString(Inv)).Append('\n');
        var props = new StringBuilder("species:S:1:pos:R:3");
        foreach (var p in f.Properties) props.Append(':').Append(p.Name).Append(':').Append(TypeCode(p.Type)).Append(':').Append(p.Columns.ToString(Inv));
        var pairs = new List<string>();
        if (f.Cell is not null) pairs.Add($"Lattice=\"{string.Join(' ', f.Cell.Select(R))}\"");
        pairs.Add($"Properties={props}");
        foreach (var (k, v) in f.Info)
        {
            if (k is "Lattice" or "Properties" or "pbc") continue;
            pairs.Add($"{k}={Quote(v)}");
        }
        pairs.Add($"pbc=\"{string.Join(' ', f.Pbc.Select(b => b ? "T" : "F"))}\"");
        sb.Append(string.Join(' ', pairs)).Append('\n');
        for (int i = 0; i < f.NumAtoms; i++)
        {
            sb.Append(f.Species[i]);
            for (int c = 0; c < 3; c++) sb.Append(' ').Append(R(f.Positions[3 * i + c]));
            foreach (var p in f.Properties)
                for (int c = 0; c < p.Columns; c++) sb.Append(' ').Append(p.Values[i * p.Columns + c]);
            sb.Append('\n');
        }
    }

    private static string R(double x) => x.ToString("R", Inv);

    private static string Quote(string v)
    {
        if (v.Length > 0 && !v.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '=' or '\\')) return v;
        return "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    private static char TypeCode(XyzPropertyType t) => t switch
    {
        XyzPropertyType.String => 'S',
        XyzPropertyType.Real => 'R',
        XyzPropertyType.Integer => 'I',
        _ => 'L',
    };

    private static XyzFrame ReadFrame(LineReader r)
    {
        var (countLine, countNo) = r.Next("the atom count");
        var countText = countLine.Trim();
        if (!int.TryParse(countText, NumberStyles.None, Inv, out int n))
            throw r.Error(countNo, $"expected the atom count (a non-negative integer), got '{Clip(countText)}'");
        var (comment, commentNo) = r.Next("the comment line of a frame");
        var info = ParseKeyValues(comment, r, commentNo);

        double[]? cell = null;
        bool[]? pbc = null;
        var columns = new List<(string Name, XyzPropertyType Type, int Cols)> { ("species", XyzPropertyType.String, 1), ("pos", XyzPropertyType.Real, 3) };
        var rest = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in info)
        {
            switch (key)
            {
                case "Lattice":
                    cell = ParseReals(value, 9, "Lattice", r, commentNo);
                    break;
                case "pbc":
                    pbc = ParsePbc(value, r, commentNo);
                    break;
                case "Properties":
                    columns = ParseProperties(value, r, commentNo);
                    break;
                default:
                    rest.Add(new(key, value));
                    break;
            }
        }
        int width = columns.Sum(c => c.Cols);
        // Each column takes at least two characters ("x "), so a count larger than this is a lie
        // (or a truncated file): refuse before allocating for it.
        long bound = r.Remaining / (2L * width) + 1;
        if (n > bound)
            throw r.Error(countNo, $"the frame declares {n} atoms but only {r.Remaining} characters follow (at most {bound} rows of {width} columns); the file is truncated or the count is wrong");

        var species = new string[n];
        var pos = new double[3L * n];
        var extra = columns.Skip(2).Select(c => new string[(long)c.Cols * n]).ToArray();
        var tokens = new string[width];
        for (int i = 0; i < n; i++)
        {
            var (row, rowNo) = r.Next($"atom row {i + 1} of {n}");
            int got = Split(row, tokens);
            if (got != width)
                throw r.Error(rowNo, $"atom row {i + 1} has {(got > width ? "more than " + width : got.ToString(Inv))} columns; Properties declares {width}");
            int t = 0;
            for (int c = 0; c < columns.Count; c++)
            {
                var (name, type, cols) = columns[c];
                for (int k = 0; k < cols; k++, t++)
                {
                    var tok = tokens[t];
                    CheckToken(tok, type, name, r, rowNo);
                    if (name == "species" && c == 0) species[i] = tok;
                    else if (name == "pos" && c == 1)
                    {
                        double v = double.Parse(tok, NumberStyles.Float, Inv);
                        if (!double.IsFinite(v)) throw r.Error(rowNo, $"position '{tok}' of atom {i + 1} is not finite");
                        pos[3L * i + k] = v;
                    }
                    else extra[c - 2][(long)i * cols + k] = tok;
                }
            }
        }
        var properties = columns.Skip(2).Select((c, k) => new XyzProperty(c.Name, c.Type, c.Cols, extra[k])).ToArray();
        if (cell is not null && pbc is null) pbc = [true, true, true]; // ASE: a lattice without pbc means periodic
        if (cell is null && pbc is not null && pbc.Any(b => b))
            throw r.Error(commentNo, $"pbc=\"{string.Join(' ', pbc.Select(b => b ? "T" : "F"))}\" has periodic axes but there is no Lattice");
        return new XyzFrame(species, pos, cell, pbc ?? [false, false, false], rest, properties);
    }

    private static List<(string, XyzPropertyType, int)> ParseProperties(string value, LineReader r, int line)
    {
        var parts = value.Split(':');
        if (parts.Length % 3 != 0 || parts.Length < 6)
            throw r.Error(line, $"Properties='{Clip(value)}' must be name:type:count triples starting with species:S:1:pos:R:3");
        var list = new List<(string, XyzPropertyType, int)>();
        var seen = new HashSet<string>();
        for (int k = 0; k < parts.Length; k += 3)
        {
            string name = parts[k];
            var type = parts[k + 1] switch
            {
                "S" => XyzPropertyType.String,
                "R" => XyzPropertyType.Real,
                "I" => XyzPropertyType.Integer,
                "L" => XyzPropertyType.Logical,
                _ => throw r.Error(line, $"property '{name}' has unknown type '{parts[k + 1]}' (expected S, R, I or L)"),
            };
            if (!int.TryParse(parts[k + 2], NumberStyles.None, Inv, out int cols) || cols < 1 || cols > 1000)
                throw r.Error(line, $"property '{name}' has a bad column count '{parts[k + 2]}'");
            if (name.Length == 0 || !seen.Add(name)) throw r.Error(line, $"property name '{name}' is empty or repeated");
            list.Add((name, type, cols));
        }
        if (list[0] is not ("species", XyzPropertyType.String, 1) || list[1] is not ("pos", XyzPropertyType.Real, 3))
            throw r.Error(line, $"Properties='{Clip(value)}' must start with species:S:1:pos:R:3");
        return list;
    }

    private static void CheckToken(string tok, XyzPropertyType type, string name, LineReader r, int line)
    {
        bool ok = type switch
        {
            XyzPropertyType.Real => double.TryParse(tok, NumberStyles.Float, Inv, out _),
            XyzPropertyType.Integer => long.TryParse(tok, NumberStyles.AllowLeadingSign, Inv, out _),
            XyzPropertyType.Logical => tok is "T" or "F" or "True" or "False" or "true" or "false",
            _ => true,
        };
        if (!ok) throw r.Error(line, $"'{Clip(tok)}' is not a valid {type.ToString().ToLowerInvariant()} for property '{name}'");
    }

    private static double[] ParseReals(string value, int count, string key, LineReader r, int line)
    {
        var parts = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count) throw r.Error(line, $"{key} needs {count} numbers, got {parts.Length}: '{Clip(value)}'");
        var v = new double[count];
        for (int k = 0; k < count; k++)
        {
            if (!double.TryParse(parts[k], NumberStyles.Float, Inv, out v[k]) || !double.IsFinite(v[k]))
                throw r.Error(line, $"{key} value '{Clip(parts[k])}' is not a finite number");
        }
        return v;
    }

    private static bool[] ParsePbc(string value, LineReader r, int line)
    {
        var parts = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3) throw r.Error(line, $"pbc needs 3 values (T or F), got '{Clip(value)}'");
        var b = new bool[3];
        for (int k = 0; k < 3; k++)
        {
            b[k] = parts[k] switch
            {
                "T" or "True" or "true" or "1" => true,
                "F" or "False" or "false" or "0" => false,
                _ => throw r.Error(line, $"pbc value '{Clip(parts[k])}' is not T or F"),
            };
        }
        return b;
    }

    /// <summary>key=value, key="quoted value" (with \" and \\ escapes) and bare keys (value T), separated by whitespace.</summary>
    private static List<KeyValuePair<string, string>> ParseKeyValues(string line, LineReader r, int lineNo)
    {
        var result = new List<KeyValuePair<string, string>>();
        var keys = new HashSet<string>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i >= line.Length) break;
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]) && line[i] != '=') i++;
            string key = line[start..i];
            if (key.Length == 0 || key.Contains('"')) throw r.Error(lineNo, $"bad key at column {start + 1} of the comment line");
            string value = "T";
            if (i < line.Length && line[i] == '=')
            {
                i++;
                if (i < line.Length && line[i] == '"')
                {
                    var sb = new StringBuilder();
                    i++;
                    bool closed = false;
                    while (i < line.Length)
                    {
                        char ch = line[i++];
                        if (ch == '\\' && i < line.Length) sb.Append(line[i++]);
                        else if (ch == '"') { closed = true; break; }
                        else sb.Append(ch);
                    }
                    if (!closed) throw r.Error(lineNo, $"the value of '{key}' has no closing quote");
                    value = sb.ToString();
                }
                else
                {
                    int vs = i;
                    while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
                    value = line[vs..i];
                    if (value.Contains('"')) throw r.Error(lineNo, $"the value of '{key}' has a stray quote");
                }
            }
            if (!keys.Add(key)) throw r.Error(lineNo, $"key '{key}' appears twice");
            result.Add(new(key, value));
        }
        return result;
    }

    private static int Split(string row, string[] tokens)
    {
        int count = 0, i = 0;
        while (true)
        {
            while (i < row.Length && char.IsWhiteSpace(row[i])) i++;
            if (i >= row.Length) return count;
            int start = i;
            while (i < row.Length && !char.IsWhiteSpace(row[i])) i++;
            if (count == tokens.Length) return count + 1;
            tokens[count++] = row[start..i];
        }
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>Lines of a file with their 1-based numbers and how much text is left.</summary>
    private sealed class LineReader(string path, string text)
    {
        private int pos;
        private int line;

        public long Remaining => text.Length - pos;

        public (string Text, int Line) Next(string what)
        {
            if (pos >= text.Length) throw Error(line + 1, $"unexpected end of file: expected {what}");
            int end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var s = text[pos..end];
            if (s.EndsWith('\r')) s = s[..^1];
            pos = Math.Min(text.Length, end + 1);
            return (s, ++line);
        }

        /// <summary>True when a frame follows; false when only blank lines remain.</summary>
        public bool SkipBlankLinesAtEnd()
        {
            for (int k = pos; k < text.Length; k++)
                if (!char.IsWhiteSpace(text[k])) return true;
            return false;
        }

        public ExtendedXyzFormatException Error(int lineNo, string message) => new(path, lineNo, message);
    }
}
