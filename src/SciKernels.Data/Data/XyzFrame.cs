namespace SciKernels.Data;

/// <summary>Column type of an extended-XYZ per-atom property (ASE's <c>S</c>, <c>R</c>, <c>I</c>, <c>L</c>).</summary>
public enum XyzPropertyType
{
    /// <summary><c>S</c>: a string without whitespace.</summary>
    String,
    /// <summary><c>R</c>: a real number.</summary>
    Real,
    /// <summary><c>I</c>: an integer.</summary>
    Integer,
    /// <summary><c>L</c>: a logical, T or F.</summary>
    Logical,
}

/// <summary>A per-atom column group beyond species and positions, kept as validated text so it round-trips exactly.</summary>
/// <param name="Name">Property name (e.g. <c>forces</c>).</param>
/// <param name="Type">Column type.</param>
/// <param name="Columns">Values per atom.</param>
/// <param name="Values">Row-major text values, NumAtoms·Columns of them.</param>
public sealed record XyzProperty(string Name, XyzPropertyType Type, int Columns, string[] Values)
{
    /// <summary>The values as doubles (Real or Integer properties).</summary>
    public double[] ToDoubles() => Array.ConvertAll(Values, v => double.Parse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// One frame of an extended-XYZ file: species, Cartesian positions, optional cell (rows = lattice
/// vectors, ASE's <c>Lattice</c>), periodicity, the other key=value pairs and per-atom properties.
/// </summary>
public sealed class XyzFrame
{
    /// <summary>Creates a frame, checking that the parts agree.</summary>
    /// <param name="species">Chemical symbol (or any whitespace-free label) per atom.</param>
    /// <param name="positions">Cartesian positions, row-major [N·3], finite.</param>
    /// <param name="cell">Lattice vectors as rows, [9], or null for no cell.</param>
    /// <param name="pbc">Periodicity per axis; default: all true with a cell, all false without (ASE's rule).</param>
    /// <param name="info">Other key=value pairs of the comment line, in order.</param>
    /// <param name="properties">Per-atom properties beyond species and positions.</param>
    public XyzFrame(IReadOnlyList<string> species, double[] positions, double[]? cell = null, bool[]? pbc = null,
        IReadOnlyList<KeyValuePair<string, string>>? info = null, IReadOnlyList<XyzProperty>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(species);
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Length != 3L * species.Count)
            throw new ArgumentException($"{species.Count} species need {3L * species.Count} position values, got {positions.Length}", nameof(positions));
        foreach (var s in species)
            if (string.IsNullOrEmpty(s) || s.Any(char.IsWhiteSpace)) throw new ArgumentException($"species '{s}' must be non-empty without whitespace", nameof(species));
        if (positions.Any(p => !double.IsFinite(p))) throw new ArgumentException("positions must be finite", nameof(positions));
        if (cell is not null && (cell.Length != 9 || cell.Any(c => !double.IsFinite(c))))
            throw new ArgumentException($"cell must hold 9 finite values (3 lattice vectors as rows), got [{string.Join(", ", cell)}]", nameof(cell));
        if (pbc is not null && pbc.Length != 3) throw new ArgumentException($"pbc must have 3 values, got {pbc.Length}", nameof(pbc));
        var props = properties ?? [];
        foreach (var p in props)
        {
            if (p.Columns < 1 || p.Values.Length != (long)p.Columns * species.Count)
                throw new ArgumentException($"property '{p.Name}' needs {species.Count}·{p.Columns} values, got {p.Values.Length}", nameof(properties));
            if (p.Name is "species" or "pos") throw new ArgumentException($"property '{p.Name}' is reserved", nameof(properties));
        }
        Species = species.ToArray();
        Positions = positions;
        Cell = cell;
        Pbc = pbc ?? [cell is not null, cell is not null, cell is not null];
        Info = info?.ToArray() ?? [];
        Properties = props.ToArray();
    }

    /// <summary>Number of atoms.</summary>
    public int NumAtoms => Species.Length;

    /// <summary>Label of each atom.</summary>
    public string[] Species { get; }

    /// <summary>Cartesian positions, row-major [N·3].</summary>
    public double[] Positions { get; }

    /// <summary>Lattice vectors as rows, [9], or null.</summary>
    public double[]? Cell { get; }

    /// <summary>Periodicity per axis.</summary>
    public bool[] Pbc { get; }

    /// <summary>The comment line's other key=value pairs, in file order (bare keys have the value <c>T</c>).</summary>
    public KeyValuePair<string, string>[] Info { get; }

    /// <summary>Per-atom properties beyond species and positions.</summary>
    public XyzProperty[] Properties { get; }
}
