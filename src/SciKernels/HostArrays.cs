namespace SciKernels;

/// <summary>
/// Host arrays sized by a product of counts (points × dimensions, nx × ny): the product is taken in 64 bits and
/// checked against <see cref="Array.MaxLength"/> first, so a product past 2^31 is a clear error naming the
/// operation and the counts instead of wrapping in 32-bit arithmetic into a wrong (or negative) length.
/// </summary>
internal static class HostArrays
{
    /// <summary>A zeroed array of <paramref name="rows"/>·<paramref name="columns"/> doubles.</summary>
    /// <param name="op">The public operation, for the message (e.g. "Geometry.SampleInterior").</param>
    /// <param name="rows">The first count (e.g. points).</param>
    /// <param name="columns">The second count (e.g. dimensions).</param>
    /// <param name="what">What the counts are, e.g. "points × dimensions".</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the product exceeds one array.</exception>
    public static double[] Doubles(string op, long rows, long columns, string what)
    {
        if (rows < 0 || columns < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{op}: {what} = {rows} × {columns} has a negative count");
        if (columns != 0 && rows > Array.MaxLength / columns)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{op}: {what} = {rows} × {columns} values, more than the {Array.MaxLength} one host array holds");
        return new double[rows * columns];
    }
}
