using SciKernels.Autograd;
using SciKernels.Diagnostics;
using SciKernels.Random;
using SciKernels.Spectral;
using Xunit;

namespace SciKernels.Tests.Devices;

/// <summary>
/// The spectral layer on ILGPU devices against the CPU (the specification): real FFTs in 1-D/2-D/3-D
/// on power-of-two (Stockham kernels) and other sizes (DFT-as-GEMM fallback), round trips, Parseval
/// and the adjoint identity on the device, spectral convolutions with their gradients, and a gradient
/// check of the fused complex product. Sizes are small: the simulator is slow.
/// </summary>
public abstract class SpectralDeviceTests(DeviceFixture fixture)
{
    protected Device Dev => fixture.Get();

    private static void AssertClose(Tensor expected, Tensor actual, DType dtype, string what, double scale = 1)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        double max = e.Length == 0 ? 0 : e.Max(Math.Abs);
        double tol = (dtype == DType.Float32 ? 2e-5 : 1e-11) * scale * (1 + max);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol, $"{what}: element {i} of {Tensor.ShapeString(expected.Shape)}: cpu {e[i]:R}, device {a[i]:R} (tol {tol:E2})");
    }

    public static TheoryData<int[], int, DType> FftCases()
    {
        var d = new TheoryData<int[], int, DType>();
        var cases = new (int[] Shape, int Dims)[]
        {
            (new[] { 3, 16 }, 1),      // power of two: FFT kernels
            (new[] { 2, 12 }, 1),      // not: DFT as GEMM
            (new[] { 2, 2 }, 1),
            (new[] { 2, 8, 4 }, 2),
            (new[] { 2, 6, 8 }, 2),    // FFT along the last axis, GEMM along the other
            (new[] { 1, 8, 5 }, 2),    // and the other way round
            (new[] { 1, 4, 2, 8 }, 3),
            (new[] { 2, 3, 4, 6 }, 3),
        };
        foreach (var (shape, dims) in cases)
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(shape, dims, t);
        return d;
    }

    [SkippableTheory]
    [MemberData(nameof(FftCases))]
    public void RfftnAndIrfftn_MatchCpu_AndRoundTrip(int[] shape, int dims, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn(shape, new Generator((ulong)shape.Sum() + (ulong)dims), DType.Float64).To(dtype);
        var xd = x.To(dev);
        foreach (var norm in new[] { FftNorm.Backward, FftNorm.Ortho })
        {
            string what = $"{Tensor.ShapeString(shape)} dims={dims} {norm} {dtype.Name()}";
            var yc = Fourier.Rfftn(x, dims, norm);
            var yd = Fourier.Rfftn(xd, dims, norm);
            Assert.Equal(dev, yd.Device);
            AssertClose(yc, yd.To(Device.Cpu), dtype, "rfft " + what, Math.Sqrt(shape.Aggregate(1, (a, b) => a * b)));
            var back = Fourier.Irfftn(yd, shape[^dims..], dims, norm);
            AssertClose(Fourier.Irfftn(yc, shape[^dims..], dims, norm), back.To(Device.Cpu), dtype, "irfft " + what, 4);
            AssertClose(x, back.To(Device.Cpu), dtype, "round trip " + what, 4);
        }
    }

    [SkippableFact]
    public void Rfft_StridedInputAndOddOutputLength_MatchCpu()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn(new[] { 8, 3 }, new Generator(5), DType.Float64);
        var xt = x.Transpose(0, 1);                    // [3, 8], strided
        var yc = Fourier.Rfft(xt);
        var yd = Fourier.Rfft(x.To(dev).Transpose(0, 1));
        AssertClose(yc, yd.To(Device.Cpu), DType.Float64, "strided rfft");
        // n = 7 from a 5-bin spectrum (non-power-of-two inverse) and n = 8 from a cut one
        AssertClose(Fourier.Irfft(yc, 7), Fourier.Irfft(yd, 7).To(Device.Cpu), DType.Float64, "irfft n=7");
        AssertClose(Fourier.Irfft(yc.Narrow(-2, 0, 3), 8), Fourier.Irfft(yd.Narrow(-2, 0, 3), 8).To(Device.Cpu), DType.Float64, "irfft padded n=8");
    }

    [SkippableTheory]
    [InlineData(16)]
    [InlineData(12)]
    public void Parseval_HoldsOnDevice(int n)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn(new[] { 2, n }, new Generator((ulong)n), DType.Float64).To(dev);
        var y = Fourier.Rfft(x, FftNorm.Ortho);                               // [2, h, 2]
        var w = Enumerable.Range(0, n / 2 + 1).Select(k => k == 0 || 2 * k == n ? 1.0 : 2.0).ToArray();
        var weights = Tensor.FromDoubles(w, new[] { n / 2 + 1, 1 }, DType.Float64, dev);
        double energy = x.Square().Sum().Item();
        double spectral = y.Square().Mul(weights).Sum().Item();
        Assert.True(Math.Abs(energy - spectral) <= 1e-10 * energy, $"Σx² = {energy:R}, Σ c|X|² = {spectral:R}");
    }

    [SkippableTheory]
    [InlineData(new[] { 3, 16 }, 1)]
    [InlineData(new[] { 2, 10 }, 1)]
    [InlineData(new[] { 2, 8, 6 }, 2)]
    public void RfftAdjoint_HoldsOnDevice(int[] shape, int dims)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var gen = new Generator(17);
        var x = Tensor.Randn(shape, gen, DType.Float64).To(dev).RequiresGrad_();
        var ax = Fourier.Rfftn(x, dims);
        var y = Tensor.Randn(ax.Shape, gen, DType.Float64).To(dev);
        var aty = Autodiff.Grad(new[] { ax }, new[] { x }, new[] { y })[0];
        Assert.Equal(dev, aty.Device);
        double lhs = ax.Mul(y).Sum().Item(), rhs = x.Detach().Mul(aty).Sum().Item();
        Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * (1 + Math.Abs(lhs)), $"⟨Ax, y⟩ = {lhs:R} but ⟨x, Aᵀy⟩ = {rhs:R}");
    }

    public static TheoryData<int, DType> ConvCases()
    {
        var d = new TheoryData<int, DType>();
        foreach (int dims in new[] { 1, 2, 3 })
            foreach (var t in new[] { DType.Float32, DType.Float64 })
                d.Add(dims, t);
        return d;
    }

    [SkippableTheory]
    [MemberData(nameof(ConvCases))]
    public void SpectralConv_ForwardAndGradients_MatchCpu(int dims, DType dtype)
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var gen = new Generator(100 + (ulong)dims);
        var (xShape, wShape) = dims switch
        {
            1 => (new[] { 2, 3, 16 }, new[] { 3, 2, 5 }),
            2 => (new[] { 2, 2, 8, 6 }, new[] { 2, 2, 3, 2, 3 }),
            _ => (new[] { 1, 2, 4, 4, 6 }, new[] { 4, 2, 2, 1, 2, 3 }),
        };
        var x = Tensor.Randn(xShape, gen, DType.Float64).To(dtype);
        var wr = Tensor.Randn(wShape, gen, DType.Float64).To(dtype);
        var wi = Tensor.Randn(wShape, gen, DType.Float64).To(dtype);
        Tensor Conv(Tensor a, Tensor b, Tensor c) => dims switch
        {
            1 => Fourier.SpectralConv1d(a, b, c),
            2 => Fourier.SpectralConv2d(a, b, c),
            _ => Fourier.SpectralConv3d(a, b, c),
        };
        (Tensor Y, Tensor[] G) Run(Device on)
        {
            var inputs = new[] { x.To(on).RequiresGrad_(), wr.To(on).RequiresGrad_(), wi.To(on).RequiresGrad_() };
            var y = Conv(inputs[0], inputs[1], inputs[2]);
            var cot = Tensor.Randn(y.Shape, new Generator(9), DType.Float64).To(dtype).To(on);
            var g = Autodiff.Grad(new[] { y }, inputs, new[] { cot });
            return (y.Detach().To(Device.Cpu), g.Select(t => t.To(Device.Cpu)).ToArray());
        }
        var (yc, gc) = Run(Device.Cpu);
        var (yd, gd) = Run(dev);
        string what = $"SpectralConv{dims}d {dtype.Name()}";
        AssertClose(yc, yd, dtype, what + " forward", 4);
        string[] names = { "input", "wRe", "wIm" };
        for (int i = 0; i < 3; i++) AssertClose(gc[i], gd[i], dtype, $"{what} grad {names[i]}", 8);
    }

    [SkippableFact]
    public void ComplexBatchedMatMul_GradCheckOnDevice()
    {
        var dev = Dev;
        using var scope = TensorScope.Begin();
        var gen = new Generator(23);
        // Tiny on purpose: every finite difference is a round of launches on the (slow) simulator.
        var inputs = new[] { new[] { 1, 2, 2 }, new[] { 1, 2, 2 }, new[] { 1, 3, 2 }, new[] { 1, 3, 2 } }
            .Select(s => Tensor.Randn(s, gen, DType.Float64).To(dev)).ToArray();
        GradCheck.Check(v => Fourier.ComplexBatchedMatMul(v[0], v[1], v[2], v[3], adjointB: true).Tanh(), inputs).ThrowIfFailed();
    }
}

/// <summary>The spectral device tests on ILGPU's CPU simulator.</summary>
[Collection("device-simulator")]
public sealed class SimulatorSpectralDeviceTests(SimulatorFixture fixture) : SpectralDeviceTests(fixture);

/// <summary>The spectral device tests on the OpenCL device (PoCL in CI).</summary>
[Collection("device-opencl")]
public sealed class OpenCLSpectralDeviceTests(OpenCLFixture fixture) : SpectralDeviceTests(fixture);
