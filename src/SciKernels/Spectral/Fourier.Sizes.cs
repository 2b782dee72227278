namespace SciKernels.Spectral;

public static partial class Fourier
{
    // ------------------------------------------------------------------ size arithmetic
    //
    // Sizes derived from shapes (batch·channels, products of spatial sizes, twice a mode count, FFT scratch)
    // are computed in 64 bits, saturating, and checked against what the next step can hold — a tensor
    // dimension (int) or a host array (Array.MaxLength) — before anything is allocated, so a product past
    // 2^31 is a TensorException naming the operation and shapes instead of a silent wrap.

    /// <summary>The product of non-negative factors, saturating at <see cref="long.MaxValue"/> instead of wrapping.</summary>
    internal static long SaturatingProduct(params ReadOnlySpan<long> factors)
    {
        long p = 1;
        foreach (long f in factors)
        {
            if (f == 0) return 0;
            p = p > long.MaxValue / f ? long.MaxValue : p * f;
        }
        return p;
    }

    /// <summary>The product of <paramref name="sizes"/>, saturating.</summary>
    internal static long SaturatingProduct(ReadOnlySpan<int> sizes)
    {
        long p = 1;
        foreach (int s in sizes) p = SaturatingProduct(p, s);
        return p;
    }

    private static string Shapes(Tensor[] operands) => string.Join(", ", operands.Select(t => Tensor.ShapeString(t.Shape)));

    /// <summary><paramref name="value"/> as a tensor dimension; past <see cref="int.MaxValue"/> a <see cref="TensorException"/> names the operation, the size and the operand shapes.</summary>
    internal static int Dim(string op, long value, string what, params Tensor[] operands) =>
        value <= int.MaxValue
            ? (int)value
            : throw new TensorException(op, $"{what} is {(value == long.MaxValue ? "more than 2^63" : value.ToString())}, more than the {int.MaxValue} a tensor dimension holds (operands {Shapes(operands)})");

    /// <summary>Throws unless <paramref name="length"/> values fit one host array (the DFT matrices and FFT scratch are built on the host).</summary>
    internal static void CheckHostArray(string op, long length, string what, params Tensor[] operands)
    {
        if (length > Array.MaxLength)
            throw new TensorException(op, $"{what} needs {(length == long.MaxValue ? "more than 2^63" : length.ToString())} values, more than the {Array.MaxLength} one host array holds (operands {Shapes(operands)})");
    }

    /// <summary>Checks that the host FFT of length <paramref name="n"/> can hold its scratch, for <paramref name="x"/>'s dtype.</summary>
    private static void CheckHostFft(string op, int n, Tensor x)
    {
        long scratch = x.DType == DType.Float32 ? FftPlan<float>.ScratchLengthFor(n, FftPlan<float>.Lanes) : FftPlan<double>.ScratchLengthFor(n, FftPlan<double>.Lanes);
        CheckHostArray(op, scratch, $"the FFT of length {n} (its scratch, {(x.DType == DType.Float32 ? FftPlan<float>.Lanes : FftPlan<double>.Lanes)} signals at a time)", x);
    }
}
