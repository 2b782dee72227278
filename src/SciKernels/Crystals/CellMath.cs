namespace SciKernels.Crystals;

/// <summary>
/// 3×3 helpers for cells stored as 9 row-major values whose rows are the lattice vectors (ASE's convention):
/// a Cartesian position is r = f · cell for fractional coordinates f.
/// </summary>
public static class CellMath
{
    /// <summary>The determinant (signed volume) of a row-major 3×3 matrix.</summary>
    /// <param name="m">Nine values, row-major.</param>
    public static double Det(ReadOnlySpan<double> m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    /// <summary>The inverse of a row-major 3×3 matrix.</summary>
    /// <param name="m">Nine values, row-major, non-singular.</param>
    /// <exception cref="ArgumentException">The matrix is singular or not finite.</exception>
    public static double[] Inverse(ReadOnlySpan<double> m)
    {
        double d = Det(m);
        if (!(Math.Abs(d) > 1e-300) || !double.IsFinite(d))
            throw new ArgumentException($"CellMath.Inverse: the matrix [{string.Join(", ", m.ToArray())}] is singular (det {d})");
        double s = 1 / d;
        return
        [
            (m[4] * m[8] - m[5] * m[7]) * s, (m[2] * m[7] - m[1] * m[8]) * s, (m[1] * m[5] - m[2] * m[4]) * s,
            (m[5] * m[6] - m[3] * m[8]) * s, (m[0] * m[8] - m[2] * m[6]) * s, (m[2] * m[3] - m[0] * m[5]) * s,
            (m[3] * m[7] - m[4] * m[6]) * s, (m[1] * m[6] - m[0] * m[7]) * s, (m[0] * m[4] - m[1] * m[3]) * s,
        ];
    }

    /// <summary>The product a · b of row-major 3×3 matrices.</summary>
    /// <param name="a">Left factor.</param>
    /// <param name="b">Right factor.</param>
    public static double[] Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var c = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                c[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        return c;
    }

    /// <summary>The transpose of a row-major 3×3 matrix.</summary>
    /// <param name="m">Nine values.</param>
    public static double[] Transpose(ReadOnlySpan<double> m) => [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];

    /// <summary>Rows times a matrix: out[n] = v[n] · m for N row vectors (positions · cell, or positions · cell⁻¹).</summary>
    /// <param name="rows">N·3 values.</param>
    /// <param name="m">Nine values, row-major.</param>
    public static double[] RowsTimes(ReadOnlySpan<double> rows, ReadOnlySpan<double> m)
    {
        var o = new double[rows.Length];
        for (int n = 0; n + 2 < rows.Length; n += 3)
            for (int j = 0; j < 3; j++)
                o[n + j] = rows[n] * m[j] + rows[n + 1] * m[3 + j] + rows[n + 2] * m[6 + j];
        return o;
    }

    /// <summary>Fractional coordinates f = r · cell⁻¹ of Cartesian positions.</summary>
    /// <param name="positions">Cartesian positions, N·3.</param>
    /// <param name="cell">The cell, rows = lattice vectors.</param>
    public static double[] ToFractional(ReadOnlySpan<double> positions, ReadOnlySpan<double> cell) => RowsTimes(positions, Inverse(cell));

    /// <summary>Lattice lengths a, b, c (Å) and angles α, β, γ (degrees) of a cell, as in a CIF.</summary>
    /// <param name="cell">Nine values, rows = lattice vectors.</param>
    public static double[] Parameters(ReadOnlySpan<double> cell)
    {
        double a = Norm(cell.Slice(0, 3)), b = Norm(cell.Slice(3, 3)), c = Norm(cell.Slice(6, 3));
        return [a, b, c, Angle(cell.Slice(3, 3), cell.Slice(6, 3)), Angle(cell.Slice(0, 3), cell.Slice(6, 3)), Angle(cell.Slice(0, 3), cell.Slice(3, 3))];
    }

    /// <summary>The cell of lattice lengths and angles in the standard orientation (a along x, b in the xy plane), as ASE's <c>cellpar_to_cell</c>.</summary>
    /// <param name="a">Length a (Å).</param>
    /// <param name="b">Length b (Å).</param>
    /// <param name="c">Length c (Å).</param>
    /// <param name="alpha">Angle between b and c (degrees).</param>
    /// <param name="beta">Angle between a and c (degrees).</param>
    /// <param name="gamma">Angle between a and b (degrees).</param>
    /// <exception cref="ArgumentException">The lengths are not positive or the angles make no cell.</exception>
    public static double[] FromParameters(double a, double b, double c, double alpha, double beta, double gamma)
    {
        double ca = Math.Cos(alpha * Math.PI / 180), cb = Math.Cos(beta * Math.PI / 180), cg = Math.Cos(gamma * Math.PI / 180);
        double sg = Math.Sin(gamma * Math.PI / 180);
        double cx = cb, cy = (ca - cb * cg) / sg, cz2 = 1 - cx * cx - cy * cy;
        if (!(a > 0 && b > 0 && c > 0) || !(cz2 > 0))
            throw new ArgumentException($"CellMath.FromParameters: no cell has lengths ({a}, {b}, {c}) and angles ({alpha}, {beta}, {gamma})");
        return [a, 0, 0, b * cg, b * sg, 0, c * cx, c * cy, c * Math.Sqrt(cz2)];
    }

    /// <summary>Euclidean norm of a 3-vector.</summary>
    /// <param name="v">Three values.</param>
    public static double Norm(ReadOnlySpan<double> v) => Math.Sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);

    /// <summary>Angle between two 3-vectors in degrees.</summary>
    /// <param name="u">First vector.</param>
    /// <param name="v">Second vector.</param>
    public static double Angle(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double c = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (Norm(u) * Norm(v));
        return Math.Acos(Math.Clamp(c, -1, 1)) * 180 / Math.PI;
    }

    /// <summary>
    /// A reduced basis of the same lattice: each vector is repeatedly replaced by itself plus any combination
    /// of the others with coefficients in {−1, 0, 1} while that shortens it (the greedy reduction, which in
    /// three dimensions ends at a Minkowski-reduced basis: the vectors are the successive minima), then the
    /// rows are sorted by length and the basis is made right-handed.
    /// </summary>
    /// <param name="cell">Nine values, rows = lattice vectors, non-singular.</param>
    /// <returns>The reduced cell, rows sorted a ≤ b ≤ c, det &gt; 0.</returns>
    public static double[] Reduce(ReadOnlySpan<double> cell)
    {
        _ = Inverse(cell); // rejects singular cells with a clear message
        var b = cell.ToArray();
        for (int sweep = 0; sweep < 1000; sweep++)
        {
            bool changed = false;
            for (int i = 0; i < 3; i++)
            {
                int j = (i + 1) % 3, k = (i + 2) % 3;
                double best = Norm2(b, i, 0, j, 0, k);
                int bj = 0, bk = 0;
                for (int nj = -1; nj <= 1; nj++)
                    for (int nk = -1; nk <= 1; nk++)
                    {
                        double l = Norm2(b, i, nj, j, nk, k);
                        // A relative margin keeps rounding from cycling between equal-length choices.
                        if (l < best * (1 - 1e-12)) { best = l; bj = nj; bk = nk; }
                    }
                if (bj != 0 || bk != 0)
                {
                    for (int c = 0; c < 3; c++) b[3 * i + c] += bj * b[3 * j + c] + bk * b[3 * k + c];
                    changed = true;
                }
            }
            if (!changed) break;
        }
        var order = new[] { 0, 1, 2 };
        var len = order.Select(i => Norm2(b, i, 0, 0, 0, 0)).ToArray();
        Array.Sort(len, order);
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++) r[3 * i + c] = b[3 * order[i] + c];
        if (Det(r) < 0)
            for (int c = 6; c < 9; c++) r[c] = -r[c];
        return r;
    }

    private static double Norm2(double[] b, int i, int nj, int j, int nk, int k)
    {
        double s = 0;
        for (int c = 0; c < 3; c++)
        {
            double v = b[3 * i + c] + nj * b[3 * j + c] + nk * b[3 * k + c];
            s += v * v;
        }
        return s;
    }
}
