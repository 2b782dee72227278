namespace SciKernels.Pinn;

/// <summary>
/// A set of points in ℝᵈ stored row-major on the host (point i occupies
/// <c>Data[i·Dimension .. (i+1)·Dimension)</c>). Geometries and samplers produce point sets;
/// conditions turn them into [n, d] tensors.
/// </summary>
public sealed class PointSet
{
    /// <summary>Wraps row-major coordinates.</summary>
    /// <param name="data">Coordinates, point after point.</param>
    /// <param name="dimension">Coordinates per point.</param>
    public PointSet(double[] data, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (data.Length % dimension != 0) throw new ArgumentException($"PointSet: {data.Length} coordinates are not a whole number of {dimension}-D points", nameof(data));
        Data = data;
        Dimension = dimension;
    }

    /// <summary>Row-major coordinates.</summary>
    public double[] Data { get; }

    /// <summary>Coordinates per point.</summary>
    public int Dimension { get; }

    /// <summary>Number of points.</summary>
    public int Count => Data.Length / Dimension;

    /// <summary>Point <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> this[int i] => Data.AsSpan(i * Dimension, Dimension);

    /// <summary>The points as an [n, d] tensor.</summary>
    public Tensor ToTensor(DType dtype = DType.Float32, Device? device = null) => Tensor.FromDoubles(Data, [Count, Dimension], dtype, device);

    /// <summary>Reads an [n, d] tensor back to the host.</summary>
    public static PointSet FromTensor(Tensor points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Rank != 2) throw new ArgumentException($"PointSet: expected [n, d] points, got rank {points.Rank}", nameof(points));
        return new PointSet(points.ToArray<double>(), points.Size(1));
    }

    /// <summary>Applies <paramref name="f"/> to every point.</summary>
    public double[] Map(PointFunction f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var v = new double[Count];
        for (int i = 0; i < v.Length; i++) v[i] = f(this[i]);
        return v;
    }

    /// <summary>The points of both sets, this set first.</summary>
    public PointSet Concat(PointSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimension != Dimension) throw new ArgumentException($"PointSet: cannot join {Dimension}-D and {other.Dimension}-D points", nameof(other));
        return new PointSet([.. Data, .. other.Data], Dimension);
    }

    /// <summary>The points at <paramref name="indices"/>.</summary>
    public PointSet Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var d = HostArrays.Doubles("PointSet.Select", indices.Count, Dimension, "points × dimensions");
        for (int k = 0; k < indices.Count; k++) this[indices[k]].CopyTo(d.AsSpan(k * Dimension, Dimension));
        return new PointSet(d, Dimension);
    }

    /// <summary>A copy with coordinate <paramref name="dim"/> set to <paramref name="value"/> (e.g. t = t₀).</summary>
    public PointSet WithCoordinate(int dim, double value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)dim, (uint)Dimension, nameof(dim));
        var d = (double[])Data.Clone();
        for (int i = 0; i < Count; i++) d[i * Dimension + dim] = value;
        return new PointSet(d, Dimension);
    }
}

/// <summary>A scalar function of a point, e.g. boundary data g(x, t).</summary>
/// <param name="point">The coordinates.</param>
/// <returns>The value at the point.</returns>
public delegate double PointFunction(ReadOnlySpan<double> point);
