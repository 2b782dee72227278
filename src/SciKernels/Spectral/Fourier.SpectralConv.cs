namespace SciKernels.Spectral;

public static partial class Fourier
{
    /// <summary>
    /// The Fourier layer of a 1-D FNO (Li et al. 2021): rfft along the last dimension, multiply the
    /// lowest <c>modes</c> bins by a complex [in, out] matrix per mode, inverse rfft.
    /// </summary>
    /// <remarks>
    /// out[b, o, :] = irfft_n( Σ_i X[b, i, k]·W[i, o, k] for k &lt; modes, 0 above ), X = rfft(x), W = wRe + i·wIm.
    /// Computed as truncated-DFT GEMMs with cached matrices plus one fused complex product over all modes
    /// (<see cref="ComplexBatchedMatMul"/>), so the gradients with respect to the input and both weights
    /// (and higher derivatives) come from autodiff. Runs on the CPU and on ILGPU devices.
    /// </remarks>
    /// <param name="x">Input [batch, in_channels, n] (float32 or float64).</param>
    /// <param name="wRe">Real parts of the weights [in_channels, out_channels, modes], modes ≤ n/2+1.</param>
    /// <param name="wIm">Imaginary parts of the weights, same shape as <paramref name="wRe"/>.</param>
    /// <returns>[batch, out_channels, n].</returns>
    public static Tensor SpectralConv1d(Tensor x, Tensor wRe, Tensor wIm) => SpectralConv("SpectralConv1d", x, wRe, wIm, 1);

    /// <summary>
    /// The Fourier layer of a 2-D FNO (Li et al. 2021): rfft2, complex channel mixing on the two
    /// corner blocks of modes — rows 0…m1−1 (low positive) and h−m1…h−1 (low negative frequencies)
    /// of the first spatial dimension, columns 0…m2−1 of the halved last dimension — then irfft2.
    /// </summary>
    /// <param name="x">Input [batch, in_channels, h, w].</param>
    /// <param name="wRe">Real parts [2, in_channels, out_channels, m1, m2]: corner 0 holds the positive rows
    /// (Li's <c>weights1</c>), corner 1 the negative rows (<c>weights2</c>). Needs 2·m1 ≤ h and m2 ≤ w/2+1.</param>
    /// <param name="wIm">Imaginary parts, same shape.</param>
    /// <returns>[batch, out_channels, h, w].</returns>
    public static Tensor SpectralConv2d(Tensor x, Tensor wRe, Tensor wIm) => SpectralConv("SpectralConv2d", x, wRe, wIm, 2);

    /// <summary>
    /// The Fourier layer of a 3-D FNO: rfftn over the last three dimensions, complex channel mixing
    /// on the four corner blocks of modes (low positive/negative frequencies of the first two spatial
    /// dimensions × the lowest m3 bins of the halved last one), then the inverse.
    /// </summary>
    /// <param name="x">Input [batch, in_channels, d1, d2, d3].</param>
    /// <param name="wRe">Real parts [4, in_channels, out_channels, m1, m2, m3]. Corner c covers the
    /// negative frequencies of d1 when bit 0 of c is set and of d2 when bit 1 is set, so corners 0…3 are
    /// Li's <c>weights1…weights4</c>. Needs 2·m1 ≤ d1, 2·m2 ≤ d2, m3 ≤ d3/2+1.</param>
    /// <param name="wIm">Imaginary parts, same shape.</param>
    /// <returns>[batch, out_channels, d1, d2, d3].</returns>
    public static Tensor SpectralConv3d(Tensor x, Tensor wRe, Tensor wIm) => SpectralConv("SpectralConv3d", x, wRe, wIm, 3);

    private static Tensor SpectralConv(string op, Tensor x, Tensor wRe, Tensor wIm, int d)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(wRe);
        ArgumentNullException.ThrowIfNull(wIm);
        Tensor.CheckFloatOperands(op, x, wRe);
        Tensor.CheckFloatOperands(op, x, wIm);
        string xDims = d switch { 1 => "n", 2 => "h, w", _ => "d1, d2, d3" };
        string wDims = d switch { 1 => "in_channels, out_channels, modes", 2 => "2, in_channels, out_channels, m1, m2", _ => "4, in_channels, out_channels, m1, m2, m3" };
        if (x.Rank != d + 2)
            throw new TensorException(op, $"expected input [batch, in_channels, {xDims}], got shape {Tensor.ShapeString(x.Shape)}");
        int wRank = d == 1 ? 3 : d + 3, corners = 1 << (d - 1);
        if (wRe.Rank != wRank || (d > 1 && wRe.Shape[0] != corners))
            throw new TensorException(op, $"expected weights [{wDims}], got wRe of shape {Tensor.ShapeString(wRe.Shape)}");
        if (!wRe.Shape.SequenceEqual(wIm.Shape))
            throw new TensorException(op, $"wRe and wIm must have the same shape, got {Tensor.ShapeString(wRe.Shape)} and {Tensor.ShapeString(wIm.Shape)}");
        int off = d == 1 ? 0 : 1;
        int b = x.Shape[0], cin = x.Shape[1], cout = wRe.Shape[off + 1];
        if (wRe.Shape[off] != cin)
            throw new TensorException(op, $"the input has {cin} channels (shape {Tensor.ShapeString(x.Shape)}) but the weights expect {wRe.Shape[off]} (shape {Tensor.ShapeString(wRe.Shape)})");
        var sizes = x.Shape[2..].ToArray();
        var modes = wRe.Shape[(off + 2)..].ToArray();
        for (int i = 0; i < d; i++)
        {
            bool last = i == d - 1;
            int limit = last ? sizes[i] / 2 + 1 : sizes[i] / 2;
            if (modes[i] < 1 || modes[i] > limit)
                throw new TensorException(op, last
                    ? $"{modes[i]} modes along the last dimension do not fit its size {sizes[i]} (need 1 ≤ modes ≤ {limit}); input {Tensor.ShapeString(x.Shape)}, weights {Tensor.ShapeString(wRe.Shape)}"
                    : $"{modes[i]} modes along spatial dimension {i} need 2·modes ≤ its size {sizes[i]} (both corners must fit); input {Tensor.ShapeString(x.Shape)}, weights {Tensor.ShapeString(wRe.Shape)}");
        }
        if (b == 0 || cin == 0 || cout == 0) return Tensor.Zeros(new[] { b, cout }.Concat(sizes).ToArray(), x.DType, x.Device);
        CheckSpectralConvSizes(op, x, wRe, sizes, modes, b, cin, cout);

        var y = ForwardModes(x, sizes, modes);               // [2, P, b·cin]
        int p = (int)(y.NumElements / (2L * b * cin));
        var yr = y.Reshape(2, p, b, cin);
        var re = yr.Select(0, 0);                            // [P, b, cin]
        var im = yr.Select(0, 1);
        var wr = ModeMajor(wRe, d, p, cin, cout);            // [P, cin, cout]
        var wi = ModeMajor(wIm, d, p, cin, cout);
        var o = ComplexBatchedMatMul(re, im, wr, wi);        // [2, P, b, cout], one fused primitive
        var outShape = new[] { b, cout }.Concat(sizes).ToArray();
        return InverseModes(o, sizes, modes, checked(b * cout)).Reshape(outShape);
    }

    /// <summary>
    /// Checks, before anything is allocated, that every intermediate of <see cref="ForwardModes"/> and
    /// <see cref="InverseModes"/> has dimensions that fit an int: the GEMM rows batch·channels·(leading spatial
    /// sizes), the (re, im) rows of each spatial dimension, the mode count P and the columns of each mode-space
    /// product ((kept modes of the later dimensions)·batch·channels).
    /// </summary>
    private static void CheckSpectralConvSizes(string op, Tensor x, Tensor w, int[] sizes, int[] modes, int b, int cin, int cout)
    {
        int d = sizes.Length;
        long r = SaturatingProduct(sizes.AsSpan(0, d - 1));
        long channels = Math.Max(cin, cout);
        Dim(op, SaturatingProduct(b, channels, r), d == 1 ? "batch·channels" : "batch·channels·(spatial sizes but the last)", x, w);
        Dim(op, 2L * modes[^1], "twice the modes of the last dimension", x, w);
        CheckHostArray(op, 2L * modes[^1] * sizes[^1], "the truncated DFT matrix of the last dimension", x, w);
        long p = modes[^1], later = modes[^1];
        for (int j = d - 2; j >= 0; j--)
        {
            Dim(op, 2L * sizes[j], $"twice spatial size {j}", x, w);
            CheckHostArray(op, SaturatingProduct(4L * modes[j], 2L * sizes[j]), $"the DFT matrix of spatial dimension {j}", x, w);
            p = SaturatingProduct(p, 2L * modes[j]);
            if (j > 0) later = SaturatingProduct(later, 2L * modes[j]);
        }
        Dim(op, p, "the number of kept modes", x, w);
        // the columns of the per-dimension products: kept modes of the later dimensions × batch·channels
        if (d > 1) Dim(op, SaturatingProduct(later, b, channels), "(kept modes after the first spatial dimension)·batch·channels", x, w);
    }

    /// <summary>Weights [corners, cin, cout, m…] (or [cin, cout, m] in 1-D) as [P, cin, cout] in the mode order of <see cref="ForwardModes"/>.</summary>
    private static Tensor ModeMajor(Tensor w, int d, int p, int cin, int cout)
    {
        switch (d)
        {
            case 1: return w.Permute(2, 0, 1);
            case 2: return w.Permute(0, 3, 4, 1, 2).Reshape(p, cin, cout);
            default:
            {
                // corner c = a + 2·b (a: negative half of d1, b: of d2); mode order (a, j1, b, j2, j3)
                int m1 = w.Shape[3], m2 = w.Shape[4], m3 = w.Shape[5];
                return w.Reshape(2, 2, cin, cout, m1, m2, m3).Permute(1, 4, 0, 5, 6, 2, 3).Reshape(p, cin, cout);
            }
        }
    }

    /// <summary>
    /// Truncated forward transform of x [B, C, D1…Dd] into the mode-major layout
    /// [2 (re, im), K1, …, K_{d−1}, M_d, B·C], K_i = 2·m_i (two corners), M_d = m_d.
    /// </summary>
    private static Tensor ForwardModes(Tensor x, int[] sizes, int[] modes)
    {
        // checked: CheckSpectralConvSizes has shown that these products fit an int
        int d = sizes.Length, bc = checked(x.Shape[0] * x.Shape[1]);
        int dd = sizes[^1], md = modes[^1], r = 1;
        for (int i = 0; i < d - 1; i++) r = checked(r * sizes[i]);
        // last dimension, real → complex, as one tall GEMM [bc·ρ, dd] @ F [dd, (r, m)]; then the
        // (small) result is transposed to T[ρ, (r, m), bc] so channels end up innermost.
        var f = DftMatrices.RealForward(dd, md, interleaved: false, x.DType, x.Device);
        var t = x.Reshape(checked(bc * r), dd).MatMul(f).Reshape(bc, r, 2 * md).Permute(1, 2, 0).Contiguous();
        // the other dimensions, innermost first, complex → complex on the kept corners
        for (int j = d - 2; j >= 0; j--)
        {
            int outer = 1;
            for (int i = 0; i < j; i++) outer = checked(outer * sizes[i]);
            int k2 = checked(4 * modes[j]), d2 = checked(2 * sizes[j]);
            long rest = t.NumElements / ((long)outer * d2);
            var e = DftMatrices.ComplexForward(sizes[j], modes[j], x.DType, x.Device);
            t = Tensor.BatchedMatMul(e.Unsqueeze(0).Expand(outer, k2, d2), t.Reshape(outer, d2, checked((int)rest)));
        }
        return t;
    }

    /// <summary>Inverse of <see cref="ForwardModes"/>: [2, K1, …, M_d, B·C] → [B·C, D1·…·D_{d−1}, D_d].</summary>
    private static Tensor InverseModes(Tensor o, int[] sizes, int[] modes, int bc)
    {
        int d = sizes.Length, dd = sizes[^1], md = modes[^1], r = 1;
        for (int i = 0; i < d - 1; i++) r = checked(r * sizes[i]);
        var t = o;
        for (int j = 0; j < d - 1; j++)
        {
            int outer = 1;
            for (int i = 0; i < j; i++) outer = checked(outer * sizes[i]);
            int k2 = checked(4 * modes[j]), d2 = checked(2 * sizes[j]);
            long rest = t.NumElements / ((long)outer * k2);
            var e = DftMatrices.ComplexInverse(sizes[j], modes[j], o.DType, o.Device);
            t = Tensor.BatchedMatMul(e.Unsqueeze(0).Expand(outer, d2, k2), t.Reshape(outer, k2, checked((int)rest)));
        }
        var g = DftMatrices.RealInverse(dd, md, interleaved: false, o.DType, o.Device);
        if (r == 1)
            return Tensor.BatchedMatMul(t.Reshape(2 * md, bc).T.Unsqueeze(0), g.Unsqueeze(0));
        // channels back outermost (a copy of the small mode-space tensor), then one tall GEMM
        var a = t.Reshape(r, 2 * md, bc).Permute(2, 0, 1).Reshape(checked(bc * r), 2 * md);
        return a.MatMul(g).Reshape(bc, r, dd);
    }
}
