namespace SciKernels.Pinn;

/// <summary>
/// A domain in ℝᵈ that can be sampled: interior points for the PDE residual, boundary points with
/// outward normals for boundary conditions. Samples start as points of the unit cube drawn by
/// <see cref="UnitCubeSampler"/> (so every <see cref="SamplingMethod"/> works for every shape) and are
/// mapped onto the shape; shapes without an exact map (unions, differences) reject points outside.
/// </summary>
public abstract class Geometry
{
    /// <summary>Number of coordinates.</summary>
    public abstract int Dimension { get; }

    /// <summary>Lower corner of the bounding box.</summary>
    public abstract double[] Lower { get; }

    /// <summary>Upper corner of the bounding box.</summary>
    public abstract double[] Upper { get; }

    /// <summary>Whether <paramref name="p"/> lies in the closed domain, up to <paramref name="tolerance"/> (negative: strictly inside).</summary>
    public abstract bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12);

    /// <summary>Whether <paramref name="p"/> lies on the boundary within <paramref name="tolerance"/>.</summary>
    public bool OnBoundary(ReadOnlySpan<double> p, double tolerance = 1e-9) => Contains(p, tolerance) && !Contains(p, -tolerance);

    /// <summary>Measure of the boundary (length, area, …), used to split samples between parts.</summary>
    public abstract double BoundaryMeasure { get; }

    /// <summary>Writes the outward unit normal at boundary point <paramref name="p"/>.</summary>
    public abstract void Normal(ReadOnlySpan<double> p, Span<double> normal);

    /// <summary>
    /// Maps a unit-cube point to the interior; returns false when the point must be rejected. The default
    /// maps onto the bounding box and rejects points outside the domain.
    /// </summary>
    public virtual bool TryMapInterior(ReadOnlySpan<double> unit, Span<double> point)
    {
        var lo = Lower;
        var hi = Upper;
        for (int k = 0; k < Dimension; k++) point[k] = lo[k] + unit[k] * (hi[k] - lo[k]);
        return Contains(point);
    }

    /// <summary>Maps a unit-cube point (all <see cref="Dimension"/> coordinates) to the boundary; false to reject.</summary>
    public abstract bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point);

    /// <summary><paramref name="n"/> interior points.</summary>
    public PointSet SampleInterior(int n, SamplingMethod method = SamplingMethod.LatinHypercube, ulong seed = 0) => Sample(n, method, seed, TryMapInterior);

    /// <summary><paramref name="n"/> boundary points.</summary>
    public PointSet SampleBoundary(int n, SamplingMethod method = SamplingMethod.LatinHypercube, ulong seed = 0) => Sample(n, method, seed, TryMapBoundary);

    /// <summary>Outward unit normals at boundary points.</summary>
    public PointSet Normals(PointSet boundaryPoints)
    {
        ArgumentNullException.ThrowIfNull(boundaryPoints);
        var v = new double[boundaryPoints.Data.Length];
        for (int i = 0; i < boundaryPoints.Count; i++) Normal(boundaryPoints[i], v.AsSpan(i * Dimension, Dimension));
        return new PointSet(v, Dimension);
    }

    /// <summary>Points in this domain or in <paramref name="other"/>.</summary>
    public Geometry Union(Geometry other) => new UnionGeometry(this, other);

    /// <summary>Points in this domain but not in <paramref name="other"/>.</summary>
    public Geometry Difference(Geometry other) => new DifferenceGeometry(this, other);

    private delegate bool MapFn(ReadOnlySpan<double> unit, Span<double> point);

    private PointSet Sample(int n, SamplingMethod method, ulong seed, MapFn map)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int d = Dimension;
        var result = HostArrays.Doubles("Geometry.Sample", n, d, "points × dimensions");
        int filled = 0, request = n;
        var point = new double[d];
        for (int round = 0; filled < n; round++)
        {
            if (round > 50) throw new InvalidOperationException($"{GetType().Name}: rejection sampling accepted only {filled} of {n} points; is the domain empty?");
            // Each round draws a fresh, larger set; accepted points are taken in order, so the result is deterministic.
            var unit = UnitCubeSampler.Sample(method, request, d, seed + (ulong)round * 0x9E3779B97F4A7C15UL);
            for (int i = 0; i < unit.Count && filled < n; i++)
                if (map(unit[i], point))
                    point.CopyTo(result.AsSpan(filled++ * d, d));
            // doubled in 64 bits and capped at what one array of d-dimensional points holds (2·request wrapped past 2^31)
            request = (int)Math.Max(16, Math.Min(2L * request, Array.MaxLength / Math.Max(d, 1)));
        }
        return new PointSet(result, d);
    }
}

/// <summary>The interval [a, b].</summary>
public sealed class Interval : Geometry
{
    /// <summary>Creates [a, b].</summary>
    public Interval(double a, double b)
    {
        if (!(a < b)) throw new ArgumentException($"Interval: need a < b, got [{a}, {b}]");
        A = a;
        B = b;
    }

    /// <summary>Left end.</summary>
    public double A { get; }

    /// <summary>Right end.</summary>
    public double B { get; }

    /// <inheritdoc/>
    public override int Dimension => 1;

    /// <inheritdoc/>
    public override double[] Lower => [A];

    /// <inheritdoc/>
    public override double[] Upper => [B];

    /// <inheritdoc/>
    public override double BoundaryMeasure => 2;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12) => p[0] >= A - tolerance && p[0] <= B + tolerance;

    /// <inheritdoc/>
    public override void Normal(ReadOnlySpan<double> p, Span<double> normal) => normal[0] = Math.Abs(p[0] - A) < Math.Abs(p[0] - B) ? -1 : 1;

    /// <inheritdoc/>
    public override bool TryMapInterior(ReadOnlySpan<double> unit, Span<double> point)
    {
        point[0] = A + unit[0] * (B - A);
        return true;
    }

    /// <inheritdoc/>
    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
    {
        point[0] = unit[0] < 0.5 ? A : B;
        return true;
    }
}

/// <summary>An axis-aligned box [lower, upper] in any dimension.</summary>
public class Box : Geometry
{
    private readonly double[] lower, upper;

    /// <summary>Creates the box.</summary>
    public Box(IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Count == 0 || lower.Count != upper.Count) throw new ArgumentException("Box: corners must have the same, positive dimension");
        for (int k = 0; k < lower.Count; k++)
            if (!(lower[k] < upper[k])) throw new ArgumentException($"Box: need lower < upper in coordinate {k}");
        this.lower = lower.ToArray();
        this.upper = upper.ToArray();
    }

    /// <inheritdoc/>
    public override int Dimension => lower.Length;

    /// <inheritdoc/>
    public override double[] Lower => (double[])lower.Clone();

    /// <inheritdoc/>
    public override double[] Upper => (double[])upper.Clone();

    private double FaceArea(int k)
    {
        double a = 1;
        for (int j = 0; j < Dimension; j++) if (j != k) a *= upper[j] - lower[j];
        return a;
    }

    /// <inheritdoc/>
    public override double BoundaryMeasure
    {
        get
        {
            double s = 0;
            for (int k = 0; k < Dimension; k++) s += 2 * FaceArea(k);
            return s;
        }
    }

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12)
    {
        for (int k = 0; k < Dimension; k++)
            if (p[k] < lower[k] - tolerance || p[k] > upper[k] + tolerance) return false;
        return true;
    }

    /// <inheritdoc/>
    public override void Normal(ReadOnlySpan<double> p, Span<double> normal)
    {
        int best = 0;
        double bestDist = double.MaxValue, sign = 1;
        for (int k = 0; k < Dimension; k++)
        {
            double dl = Math.Abs(p[k] - lower[k]), du = Math.Abs(p[k] - upper[k]);
            if (dl < bestDist) { bestDist = dl; best = k; sign = -1; }
            if (du < bestDist) { bestDist = du; best = k; sign = 1; }
        }
        normal.Clear();
        normal[best] = sign;
    }

    /// <inheritdoc/>
    public override bool TryMapInterior(ReadOnlySpan<double> unit, Span<double> point)
    {
        for (int k = 0; k < Dimension; k++) point[k] = lower[k] + unit[k] * (upper[k] - lower[k]);
        return true;
    }

    /// <summary>Coordinate 0 of the unit point picks a face (by area) and its position along the perimeter; the others place the point on the face.</summary>
    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
    {
        int d = Dimension;
        if (d == 1)
        {
            point[0] = unit[0] < 0.5 ? lower[0] : upper[0];
            return true;
        }
        double s = unit[0] * BoundaryMeasure;
        for (int k = 0; k < d; k++)
        {
            double area = FaceArea(k);
            for (int side = 0; side < 2; side++)
            {
                if (s < area || (k == d - 1 && side == 1))
                {
                    // Within the face: the fractional position s/area stretches along the first free axis
                    // (keeps a 1-D unit coordinate stratified along a 2-D perimeter); other axes use unit[1..].
                    double frac = Math.Clamp(s / area, 0, 1);
                    int u = 1;
                    bool first = true;
                    for (int j = 0; j < d; j++)
                    {
                        if (j == k) { point[j] = side == 0 ? lower[j] : upper[j]; continue; }
                        double c = first ? frac : unit[Math.Min(u++, d - 1)];
                        first = false;
                        point[j] = lower[j] + c * (upper[j] - lower[j]);
                    }
                    return true;
                }
                s -= area;
            }
        }
        return false;
    }
}

/// <summary>The rectangle [x0, x1] × [y0, y1].</summary>
public sealed class Rectangle(double x0, double y0, double x1, double y1) : Box([x0, y0], [x1, y1]);

/// <summary>The closed disk of radius r around a center in ℝ².</summary>
public sealed class Disk : Geometry
{
    /// <summary>Creates the disk.</summary>
    public Disk(double centerX, double centerY, double radius)
    {
        if (!(radius > 0)) throw new ArgumentOutOfRangeException(nameof(radius));
        CenterX = centerX;
        CenterY = centerY;
        Radius = radius;
    }

    /// <summary>Center x.</summary>
    public double CenterX { get; }

    /// <summary>Center y.</summary>
    public double CenterY { get; }

    /// <summary>Radius.</summary>
    public double Radius { get; }

    /// <inheritdoc/>
    public override int Dimension => 2;

    /// <inheritdoc/>
    public override double[] Lower => [CenterX - Radius, CenterY - Radius];

    /// <inheritdoc/>
    public override double[] Upper => [CenterX + Radius, CenterY + Radius];

    /// <inheritdoc/>
    public override double BoundaryMeasure => 2 * Math.PI * Radius;

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12)
        => Math.Sqrt((p[0] - CenterX) * (p[0] - CenterX) + (p[1] - CenterY) * (p[1] - CenterY)) <= Radius + tolerance;

    /// <inheritdoc/>
    public override void Normal(ReadOnlySpan<double> p, Span<double> normal)
    {
        double dx = p[0] - CenterX, dy = p[1] - CenterY, r = Math.Sqrt(dx * dx + dy * dy);
        normal[0] = r > 0 ? dx / r : 1;
        normal[1] = r > 0 ? dy / r : 0;
    }

    /// <summary>Area-preserving polar map: r = R√u₀, θ = 2πu₁.</summary>
    public override bool TryMapInterior(ReadOnlySpan<double> unit, Span<double> point)
    {
        double r = Radius * Math.Sqrt(unit[0]), th = 2 * Math.PI * unit[1];
        point[0] = CenterX + r * Math.Cos(th);
        point[1] = CenterY + r * Math.Sin(th);
        return true;
    }

    /// <inheritdoc/>
    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
    {
        double th = 2 * Math.PI * unit[0];
        point[0] = CenterX + Radius * Math.Cos(th);
        point[1] = CenterY + Radius * Math.Sin(th);
        return true;
    }
}

/// <summary>
/// A time-dependent domain Ω × [t₀, t₁]; time is the last coordinate. Its <see cref="Geometry.SampleBoundary"/>
/// samples the lateral boundary ∂Ω × [t₀, t₁]; <see cref="SampleInitial"/> samples Ω × {t₀}.
/// </summary>
public sealed class SpaceTimeDomain : Geometry
{
    /// <summary>Creates Ω × [t₀, t₁].</summary>
    public SpaceTimeDomain(Geometry space, double t0, double t1)
    {
        Space = space ?? throw new ArgumentNullException(nameof(space));
        if (!(t0 < t1)) throw new ArgumentException($"SpaceTimeDomain: need t0 < t1, got [{t0}, {t1}]");
        T0 = t0;
        T1 = t1;
    }

    /// <summary>The spatial domain Ω.</summary>
    public Geometry Space { get; }

    /// <summary>Initial time.</summary>
    public double T0 { get; }

    /// <summary>Final time.</summary>
    public double T1 { get; }

    /// <inheritdoc/>
    public override int Dimension => Space.Dimension + 1;

    /// <inheritdoc/>
    public override double[] Lower => [.. Space.Lower, T0];

    /// <inheritdoc/>
    public override double[] Upper => [.. Space.Upper, T1];

    /// <summary>Measure of the lateral boundary.</summary>
    public override double BoundaryMeasure => Space.BoundaryMeasure * (T1 - T0);

    /// <inheritdoc/>
    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12)
    {
        double t = p[^1];
        return t >= T0 - tolerance && t <= T1 + tolerance && Space.Contains(p[..^1], tolerance);
    }

    /// <summary>The spatial outward normal, with a zero time component.</summary>
    public override void Normal(ReadOnlySpan<double> p, Span<double> normal)
    {
        Space.Normal(p[..^1], normal[..^1]);
        normal[^1] = 0;
    }

    /// <inheritdoc/>
    public override bool TryMapInterior(ReadOnlySpan<double> unit, Span<double> point)
    {
        point[^1] = T0 + unit[^1] * (T1 - T0);
        return Space.TryMapInterior(unit[..^1], point[..^1]);
    }

    /// <inheritdoc/>
    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
    {
        point[^1] = T0 + unit[^1] * (T1 - T0);
        return Space.TryMapBoundary(unit[..^1], point[..^1]);
    }

    /// <summary><paramref name="n"/> points of Ω × {t₀}.</summary>
    public PointSet SampleInitial(int n, SamplingMethod method = SamplingMethod.LatinHypercube, ulong seed = 0)
    {
        var v = HostArrays.Doubles("SampleInitial", n, Dimension, "points × dimensions"); // checked before sampling
        var space = Space.SampleInterior(n, method, seed);
        for (int i = 0; i < n; i++)
        {
            space[i].CopyTo(v.AsSpan(i * Dimension, Space.Dimension));
            v[i * Dimension + Space.Dimension] = T0;
        }
        return new PointSet(v, Dimension);
    }
}

/// <summary>The union of two domains of the same dimension.</summary>
internal sealed class UnionGeometry : Geometry
{
    private readonly Geometry a, b;

    public UnionGeometry(Geometry a, Geometry b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dimension != b.Dimension) throw new ArgumentException("Union: dimensions differ");
        this.a = a;
        this.b = b;
    }

    public override int Dimension => a.Dimension;

    public override double[] Lower => a.Lower.Zip(b.Lower, Math.Min).ToArray();

    public override double[] Upper => a.Upper.Zip(b.Upper, Math.Max).ToArray();

    public override double BoundaryMeasure => a.BoundaryMeasure + b.BoundaryMeasure; // an upper bound; overlap is rejected

    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12) => a.Contains(p, tolerance) || b.Contains(p, tolerance);

    public override void Normal(ReadOnlySpan<double> p, Span<double> normal)
    {
        if (a.OnBoundary(p) && !b.Contains(p, -1e-9)) a.Normal(p, normal);
        else b.Normal(p, normal);
    }

    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
        => DifferenceGeometry.MapCombinedBoundary(a, b, unit, point, keepBInsideA: false);
}

/// <summary>The set difference A ∖ B of two domains.</summary>
internal sealed class DifferenceGeometry : Geometry
{
    private readonly Geometry a, b;

    public DifferenceGeometry(Geometry a, Geometry b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dimension != b.Dimension) throw new ArgumentException("Difference: dimensions differ");
        this.a = a;
        this.b = b;
    }

    public override int Dimension => a.Dimension;

    public override double[] Lower => a.Lower;

    public override double[] Upper => a.Upper;

    public override double BoundaryMeasure => a.BoundaryMeasure + b.BoundaryMeasure;

    public override bool Contains(ReadOnlySpan<double> p, double tolerance = 1e-12) => a.Contains(p, tolerance) && !b.Contains(p, -tolerance);

    public override void Normal(ReadOnlySpan<double> p, Span<double> normal)
    {
        if (b.OnBoundary(p))
        {
            b.Normal(p, normal);
            for (int k = 0; k < normal.Length; k++) normal[k] = -normal[k]; // the hole's boundary faces inwards
        }
        else a.Normal(p, normal);
    }

    public override bool TryMapBoundary(ReadOnlySpan<double> unit, Span<double> point)
        => MapCombinedBoundary(a, b, unit, point, keepBInsideA: true);

    /// <summary>
    /// Boundary of a union or difference of A and B: the first unit coordinate picks A's or B's
    /// boundary in proportion to their measures; A's points inside B are rejected, and B's points are
    /// kept outside A (union) or inside A (difference, where B is a hole).
    /// </summary>
    internal static bool MapCombinedBoundary(Geometry a, Geometry b, ReadOnlySpan<double> unit, Span<double> point, bool keepBInsideA)
    {
        double split = a.BoundaryMeasure / (a.BoundaryMeasure + b.BoundaryMeasure);
        Span<double> u = stackalloc double[unit.Length];
        unit.CopyTo(u);
        if (unit[0] < split)
        {
            u[0] = unit[0] / split;
            return a.TryMapBoundary(u, point) && !b.Contains(point, -1e-9);
        }
        u[0] = (unit[0] - split) / (1 - split);
        if (!b.TryMapBoundary(u, point)) return false;
        return keepBInsideA ? a.Contains(point, 1e-9) : !a.Contains(point, -1e-9);
    }
}
