using System.Globalization;
using System.Text;
using SciKernels.IO;
using SciKernels.Potentials;

namespace SciKernels.Crystals;

/// <summary>
/// Writes periodic structures as CIF in space group P 1: cell lengths and angles, then one line per atom
/// with its label, element and fractional coordinates. ASE (<c>ase.io.read(f, format="cif")</c>) and
/// other CIF readers rebuild the cell in the standard orientation (a along x, b in the xy plane), so the
/// structure comes back rotated but otherwise the same.
/// </summary>
public static class Cif
{
    /// <summary>The CIF text of one or more structures (one data block each).</summary>
    /// <param name="structures">Periodic structures.</param>
    /// <param name="names">Block names (letters, digits, '-', '_'), one per structure, or null for "structure_0", "structure_1", ….</param>
    /// <exception cref="ArgumentException">A structure has no cell, is not periodic on all axes, or a name is unusable.</exception>
    public static string Format(IReadOnlyList<AtomicStructure> structures, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(structures);
        if (names is not null && names.Count != structures.Count)
            throw new ArgumentException($"Cif.Format: {structures.Count} structures but {names.Count} names", nameof(names));
        var sb = new StringBuilder();
        for (int i = 0; i < structures.Count; i++)
        {
            var s = structures[i] ?? throw new ArgumentException($"Cif.Format: structure {i} is null", nameof(structures));
            string name = names?[i] ?? $"structure_{i}";
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new ArgumentException($"Cif.Format: block name '{name}' must be non-empty ASCII letters, digits, '-' or '_'", nameof(names));
            if (s.Cell is null || !s.Pbc.All(p => p))
                throw new ArgumentException($"Cif.Format: structure {i} ('{name}') is not periodic on all three axes; CIF describes crystals", nameof(structures));
            Block(sb, s, name);
        }
        return sb.ToString();
    }

    /// <summary>Writes structures to a CIF file atomically (a reader never sees half a file).</summary>
    /// <param name="path">Destination.</param>
    /// <param name="structures">Periodic structures.</param>
    /// <param name="names">Block names, or null.</param>
    public static void Write(string path, IReadOnlyList<AtomicStructure> structures, IReadOnlyList<string>? names = null) =>
        AtomicFile.WriteAllText(path, Format(structures, names));

    private static void Block(StringBuilder sb, AtomicStructure s, string name)
    {
        var p = CellMath.Parameters(s.Cell!);
        var f = CellMath.ToFractional(s.Positions, s.Cell!);
        sb.Append("data_").Append(name).Append('\n');
        sb.Append("_chemical_formula_sum '").Append(Composition.Full(s.Numbers)).Append("'\n");
        string[] keys = ["_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"];
        for (int k = 0; k < 6; k++) sb.Append(keys[k]).Append(' ').Append(R(p[k])).Append('\n');
        sb.Append("_symmetry_space_group_name_H-M 'P 1'\n_symmetry_Int_Tables_number 1\n\n");
        sb.Append("loop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n\n");
        sb.Append("loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n");
        var perElement = new Dictionary<int, int>();
        for (int a = 0; a < s.NumAtoms; a++)
        {
            int z = s.Numbers[a];
            perElement[z] = perElement.TryGetValue(z, out int c) ? c + 1 : 1;
            string symbol = Elements.Symbol(z);
            sb.Append(symbol).Append(perElement[z].ToString(CultureInfo.InvariantCulture)).Append(' ').Append(symbol);
            for (int k = 0; k < 3; k++)
            {
                double x = f[3 * a + k] - Math.Floor(f[3 * a + k]);
                if (x >= 1) x = 0; // −1e-17 wraps to 1.0 in floating point
                sb.Append(' ').Append(R(x));
            }
            sb.Append(" 1.0\n");
        }
        sb.Append('\n');
    }

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
