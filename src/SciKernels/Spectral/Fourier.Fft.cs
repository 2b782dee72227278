using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Spectral;

/// <summary>Normalisation of a forward/inverse transform pair (the <c>norm</c> argument of <c>torch.fft</c>).</summary>
public enum FftNorm
{
    /// <summary>Forward unscaled, inverse scaled by 1/n (the default, as in NumPy and PyTorch).</summary>
    Backward,
    /// <summary>Both directions scaled by 1/√n: the transforms are unitary.</summary>
    Ortho,
    /// <summary>Forward scaled by 1/n, inverse unscaled.</summary>
    Forward,
}

/// <summary>
/// Fourier transforms and Fourier-neural-operator layers on real float32/float64 tensors.
/// </summary>
/// <remarks>
/// <para><b>Complex layout.</b> SciKernels has no complex arithmetic dtype yet; a complex tensor is
/// a float32 or float64 tensor whose trailing dimension has size 2 holding (re, im). The real FFT of
/// a signal [..., n] is therefore [..., n/2+1, 2]; a 2-D real FFT of [..., h, w] is [..., h, w/2+1, 2].
/// Every function here is differentiable (the gradient rules are written with these same
/// transforms, so higher derivatives work) and accepts any strides.</para>
/// <para><b>Conventions</b> follow <c>torch.fft</c>: <c>Rfft</c> computes X[k] = Σ_j x[j]·e^{−2πi jk/n};
/// <c>Irfft</c> reads its input as the non-negative half of a Hermitian spectrum and ignores the
/// imaginary parts of the DC and Nyquist bins (which cannot contribute to a real signal).</para>
/// <para><b>Devices.</b> Every function runs on the CPU and on ILGPU devices. On a device each
/// transformed dimension of a power-of-two length uses the radix-2 Stockham FFT kernels; any other
/// length falls back to the exact DFT as a GEMM with cached matrices, which costs O(n²) per signal
/// (correct, but slow for long non-power-of-two signals — prefer powers of two there). The truncated
/// transforms and the spectral convolutions are built from matrix products and run wherever MatMul does.</para>
/// </remarks>
public static partial class Fourier
{
    /// <summary>Real-to-complex FFT along the last dimension: [..., n] → [..., n/2+1, 2].</summary>
    /// <param name="x">Real float32/float64 signal.</param>
    /// <param name="norm">Normalisation (default: unscaled forward transform).</param>
    public static Tensor Rfft(Tensor x, FftNorm norm = FftNorm.Backward) => Rfftn(x, 1, norm, "Rfft");

    /// <summary>Real-to-complex FFT over the last two dimensions: [..., h, w] → [..., h, w/2+1, 2].</summary>
    /// <param name="x">Real float32/float64 tensor of rank ≥ 2.</param>
    /// <param name="norm">Normalisation (default: unscaled forward transform).</param>
    public static Tensor Rfft2(Tensor x, FftNorm norm = FftNorm.Backward) => Rfftn(x, 2, norm, "Rfft2");

    /// <summary>Real-to-complex FFT over the last three dimensions: [..., d, h, w] → [..., d, h, w/2+1, 2].</summary>
    /// <param name="x">Real float32/float64 tensor of rank ≥ 3.</param>
    /// <param name="norm">Normalisation (default: unscaled forward transform).</param>
    public static Tensor Rfft3(Tensor x, FftNorm norm = FftNorm.Backward) => Rfftn(x, 3, norm, "Rfft3");

    /// <summary>Real-to-complex FFT over the last <paramref name="dims"/> dimensions (the last one is halved).</summary>
    /// <param name="x">Real float32/float64 tensor of rank ≥ <paramref name="dims"/>.</param>
    /// <param name="dims">Number of trailing dimensions to transform (≥ 1).</param>
    /// <param name="norm">Normalisation (default: unscaled forward transform).</param>
    public static Tensor Rfftn(Tensor x, int dims, FftNorm norm = FftNorm.Backward) => Rfftn(x, dims, norm, "Rfftn");

    /// <summary>Inverse of <see cref="Rfft"/>: [..., m, 2] → [..., n] real, with n = 2(m−1) by default.</summary>
    /// <param name="x">Half spectrum in the complex layout (trailing dimension 2).</param>
    /// <param name="n">Output length; the spectrum is cut or zero-padded to n/2+1 bins (as in torch).</param>
    /// <param name="norm">Normalisation (default: scaled by 1/n).</param>
    public static Tensor Irfft(Tensor x, int? n = null, FftNorm norm = FftNorm.Backward)
        => Irfftn(x, n is int v ? new[] { v } : null, 1, norm, "Irfft");

    /// <summary>Inverse of <see cref="Rfft2"/>: [..., h, m, 2] → [..., h, w] real.</summary>
    /// <param name="x">Spectrum in the complex layout.</param>
    /// <param name="size">Output sizes (h, w); by default h is kept and w = 2(m−1).</param>
    /// <param name="norm">Normalisation (default: scaled by 1/(h·w)).</param>
    public static Tensor Irfft2(Tensor x, (int H, int W)? size = null, FftNorm norm = FftNorm.Backward)
        => Irfftn(x, size is { } s ? new[] { s.H, s.W } : null, 2, norm, "Irfft2");

    /// <summary>Inverse of <see cref="Rfft3"/>: [..., d, h, m, 2] → [..., d, h, w] real.</summary>
    /// <param name="x">Spectrum in the complex layout.</param>
    /// <param name="size">Output sizes (d, h, w); by default d, h are kept and w = 2(m−1).</param>
    /// <param name="norm">Normalisation (default: scaled by 1/(d·h·w)).</param>
    public static Tensor Irfft3(Tensor x, (int D, int H, int W)? size = null, FftNorm norm = FftNorm.Backward)
        => Irfftn(x, size is { } s ? new[] { s.D, s.H, s.W } : null, 3, norm, "Irfft3");

    /// <summary>Inverse of <see cref="Rfftn(Tensor, int, FftNorm)"/> over <paramref name="dims"/> dimensions.</summary>
    /// <param name="x">Spectrum [..., d1, …, m, 2] in the complex layout.</param>
    /// <param name="sizes">Output sizes of the transformed dimensions (null: keep all but the last, whose size is 2(m−1)).
    /// Only the last may differ from the input: its bins are cut or zero-padded to n/2+1.</param>
    /// <param name="dims">Number of transformed dimensions (≥ 1).</param>
    /// <param name="norm">Normalisation (default: scaled by 1/∏ sizes).</param>
    public static Tensor Irfftn(Tensor x, int[]? sizes, int dims, FftNorm norm = FftNorm.Backward) => Irfftn(x, sizes, dims, norm, "Irfftn");

    // ------------------------------------------------------------------ validation and dispatch

    private static Tensor Rfftn(Tensor x, int dims, FftNorm norm, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckRealFloat(op, x);
        if (dims < 1) throw new TensorException(op, $"the number of transformed dimensions must be at least 1, got {dims}");
        if (x.Rank < dims)
            throw new TensorException(op, $"a {dims}-D transform needs a tensor of rank ≥ {dims}, got shape {Tensor.ShapeString(x.Shape)}");
        var sizes = x.Shape[^dims..].ToArray();
        foreach (var s in sizes)
            if (s < 1) throw new TensorException(op, $"transformed dimensions must be non-empty, got shape {Tensor.ShapeString(x.Shape)}");
        if (HostMemory.Holds(x))
            foreach (var s in sizes) CheckHostFft(op, s, x);
        return RfftOp(x, sizes, ForwardScale(norm, sizes));
    }

    private static Tensor Irfftn(Tensor x, int[]? sizes, int dims, FftNorm norm, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckRealFloat(op, x);
        if (dims < 1) throw new TensorException(op, $"the number of transformed dimensions must be at least 1, got {dims}");
        if (x.Rank < dims + 1 || x.Shape[^1] != 2)
            throw new TensorException(op, $"expected a complex tensor [..., {(dims > 1 ? "d1, …, " : "")}n/2+1, 2] (trailing dimension 2 = (re, im)) with {dims} transformed dimension(s), got shape {Tensor.ShapeString(x.Shape)}");
        var inSizes = x.Shape[^(dims + 1)..^1].ToArray();
        int bins = inSizes[^1];
        if (sizes is not null && sizes.Length != dims)
            throw new TensorException(op, $"{sizes.Length} output sizes given for {dims} transformed dimension(s)");
        var outSizes = sizes is null ? inSizes.ToArray() : (int[])sizes.Clone();
        if (sizes is null) outSizes[^1] = 2 * (bins - 1);
        for (int i = 0; i < dims; i++)
        {
            if (outSizes[i] < 1)
                throw new TensorException(op, $"output sizes must be positive, got ({string.Join(", ", outSizes)}) for input shape {Tensor.ShapeString(x.Shape)}");
            if (i < dims - 1 && outSizes[i] != inSizes[i])
                throw new TensorException(op, $"output size {outSizes[i]} of transformed dimension {i} differs from the input's {inSizes[i]} (only the last, halved dimension can be cut or padded); input shape {Tensor.ShapeString(x.Shape)}");
        }
        if (bins < 1) throw new TensorException(op, $"the spectrum has no bins: shape {Tensor.ShapeString(x.Shape)}");
        if (HostMemory.Holds(x))
            foreach (var s in outSizes) CheckHostFft(op, s, x);
        int n = outSizes[^1], h = n / 2 + 1;
        var spec = x;
        if (bins > h) spec = x.Narrow(-2, 0, h);
        else if (bins < h)
        {
            var padShape = x.Shape.ToArray();
            padShape[^2] = h - bins;
            spec = Tensor.Concat(new[] { x, Tensor.Zeros(padShape, x.DType, x.Device) }, -2);
        }
        return IrfftOp(spec, outSizes, InverseScale(norm, outSizes));
    }

    private static double ForwardScale(FftNorm norm, int[] sizes)
    {
        double n = 1;
        foreach (var s in sizes) n *= s;
        return norm switch { FftNorm.Backward => 1, FftNorm.Ortho => 1 / Math.Sqrt(n), _ => 1 / n };
    }

    private static double InverseScale(FftNorm norm, int[] sizes)
    {
        double n = 1;
        foreach (var s in sizes) n *= s;
        return norm switch { FftNorm.Backward => 1 / n, FftNorm.Ortho => 1 / Math.Sqrt(n), _ => 1 };
    }

    internal static void CheckRealFloat(string op, Tensor x)
    {
        x.ThrowIfDisposed(op);
        if (!x.DType.IsFloatingPoint())
            throw new TensorException(op, $"expected a float32 or float64 tensor, got {x.DType.Name()} of shape {Tensor.ShapeString(x.Shape)} (complex values use a trailing dimension of size 2)");
    }

    // ------------------------------------------------------------------ differentiable primitives

    /// <summary>
    /// y = scale·R(x), R the unnormalised real FFT over the trailing sizes.Length dims.
    /// Adjoint: Rᵀ(g) = U(g ⊙ w) with U the unnormalised inverse and w = 1/multiplicity of each
    /// half-spectrum bin (1 for DC and Nyquist, ½ elsewhere).
    /// </summary>
    internal static Tensor RfftOp(Tensor x, int[] sizes, double scale)
    {
        Tensor xc;
        using (GradMode.NoGrad()) xc = x.Contiguous();
        int d = sizes.Length, n = sizes[^1], h = n / 2 + 1;
        var outShape = x.Shape[..^1].ToArray().Append(h).Append(2).ToArray();
        Tensor y;
        if (!HostMemory.Holds(xc)) y = DeviceRfft(xc, sizes, scale);
        else
        {
            // the CPU kernel (the specification) over host memory
            y = Tensor.Empty(outShape, x.DType, x.Device);
            long rows = x.NumElements / n;
            unsafe
            {
                if (x.DType == DType.Float32) RfftRaw(HostMemory.Ptr<float>(xc), HostMemory.Ptr<float>(y), rows, n, outShape, d, (float)scale);
                else RfftRaw(HostMemory.Ptr<double>(xc), HostMemory.Ptr<double>(y), rows, n, outShape, d, scale);
            }
            GC.KeepAlive(xc);
        }
        if (!ReferenceEquals(xc, x)) xc.Dispose();
        return Tensor.Record(y, "Rfft", new[] { x }, g => new[] { IrfftOp(g.Mul(DftMatrices.BinWeights(n, reciprocal: true, x.DType, x.Device)), sizes, scale) });
    }

    /// <summary>
    /// y = scale·U(X), U the unnormalised inverse real FFT (Hermitian extension of the last dim).
    /// Adjoint: Uᵀ(g) = c ⊙ R(g) with c the multiplicity of each bin (1 for DC and Nyquist, 2 elsewhere).
    /// </summary>
    internal static Tensor IrfftOp(Tensor spec, int[] sizes, double scale)
    {
        bool cpu = HostMemory.Holds(spec);
        Tensor tmp;
        // the CPU transforms the other dims in place, so it needs a private copy; devices ping-pong
        using (GradMode.NoGrad()) tmp = spec.Contiguous(forceCopy: cpu && sizes.Length > 1);
        int d = sizes.Length, n = sizes[^1];
        var outShape = spec.Shape[..^2].ToArray().Append(n).ToArray();
        Tensor y;
        if (!cpu) y = DeviceIrfft(tmp, sizes, scale);
        else
        {
            y = Tensor.Empty(outShape, spec.DType, spec.Device);
            unsafe
            {
                if (spec.DType == DType.Float32) IrfftRaw(HostMemory.Ptr<float>(tmp), HostMemory.Ptr<float>(y), spec.Shape.ToArray(), d, n, (float)scale);
                else IrfftRaw(HostMemory.Ptr<double>(tmp), HostMemory.Ptr<double>(y), spec.Shape.ToArray(), d, n, scale);
            }
            GC.KeepAlive(tmp);
        }
        if (!ReferenceEquals(tmp, spec)) tmp.Dispose();
        return Tensor.Record(y, "Irfft", new[] { spec }, g => new[] { RfftOp(g, sizes, scale).Mul(DftMatrices.BinWeights(n, reciprocal: false, spec.DType, spec.Device)) });
    }

    private static unsafe void RfftRaw<T>(T* x, T* y, long rows, int n, int[] outShape, int d, T scale) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // last dimension: real → half spectrum (scale applied here), then the other dims in place
        FftKernels.RfftRows(x, rows, n, y, scale);
        ApplyComplexStages(y, outShape, d, inverse: false);
    }

    private static unsafe void IrfftRaw<T>(T* spec, T* y, int[] specShape, int d, int n, T scale) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // other transformed dims first (complex inverse, in place on the copy), then c2r on the last
        ApplyComplexStages(spec, specShape, d, inverse: true);
        long rows = 1;
        for (int i = 0; i < specShape.Length - 2; i++) rows *= specShape[i];
        FftKernels.IrfftRows(spec, rows, n, y, scale);
    }

    /// <summary>Complex FFTs along the transformed dims other than the last, of a complex [..., d1, …, h, 2] buffer.</summary>
    private static unsafe void ApplyComplexStages<T>(T* data, int[] shape, int d, bool inverse) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int rank = shape.Length - 1; // complex rank
        for (int k = 1; k < d; k++)
        {
            int axis = rank - 1 - k;
            long outer = 1, inner = 1;
            for (int i = 0; i < axis; i++) outer *= shape[i];
            for (int i = axis + 1; i < rank; i++) inner *= shape[i];
            FftKernels.ComplexAlongAxis(data, outer, shape[axis], inner, inverse, T.One);
        }
    }
}
