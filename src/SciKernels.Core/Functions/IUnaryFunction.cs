using System.Numerics;
using System.Runtime.Intrinsics;
using SciKernels.Backends;

namespace SciKernels.Functions;

/// <summary>
/// One element-wise function of one variable, declared once: its value and first three derivatives.
/// Every implementation of the function comes from this definition by generic code — the CPU
/// kernels (<see cref="UnaryLoops"/>), the device kernels (the scalar
/// <c>float</c>/<c>double</c> forms, compiled by ILGPU through a generic wrapper), the reverse and
/// forward autodiff rules (the tensor forms) and the Taylor rule of a PINN activation.
/// </summary>
/// <remarks>
/// Implement it with a <c>readonly struct</c>: calls through a struct type parameter are
/// specialised and inlined by the JIT and by ILGPU, so the indirection costs nothing. The scalar
/// forms must compile for a device: plain arithmetic, <see cref="Math"/>/<see cref="MathF"/> (which
/// ILGPU maps to its device math) and <see cref="ScalarMath"/>; no allocation, no exceptions.
/// Derivatives take x and y = F(x): a function whose derivative is cheapest from its output
/// (tanh, sigmoid, exp) uses y. See docs/architecture.md, "How to add an element-wise function".
/// </remarks>
public interface IUnaryFunction
{
    /// <summary>The backend op code that evaluates F (the device and CPU backends map it back here).</summary>
    static abstract UnaryOp Op { get; }

    /// <summary>F(x) in single precision (device kernels; the CPU default loop).</summary>
    static abstract float Value(float x);

    /// <summary>F(x) in double precision.</summary>
    static abstract double Value(double x);

    /// <summary>F′(x) given y = F(x), single precision.</summary>
    static abstract float D1(float x, float y);

    /// <summary>F′(x) given y = F(x), double precision.</summary>
    static abstract double D1(double x, double y);

    /// <summary>F″(x) given y = F(x) (CPU only: the second-order autodiff pass and the Taylor kernels).</summary>
    static abstract T D2<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>F‴(x) given y = F(x) (CPU only: the third-order autodiff pass and the Taylor kernels).</summary>
    static abstract T D3<T>(T x, T y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>F′ as differentiable tensor operations on x and y = F(x) (higher-order autodiff).</summary>
    static abstract Tensor D1(Tensor x, Tensor y);

    /// <summary>F″ as differentiable tensor operations.</summary>
    static abstract Tensor D2(Tensor x, Tensor y);

    /// <summary>F‴ as differentiable tensor operations.</summary>
    static abstract Tensor D3(Tensor x, Tensor y);

    /// <summary>
    /// True when the SIMD forms <see cref="D1{T}(Vector512{T}, Vector512{T})"/> and
    /// <see cref="D1{T}(Vector256{T}, Vector256{T})"/> are implemented (the vector backward loop).
    /// </summary>
    static virtual bool HasVectorD1 => false;

    /// <summary>F′ on 512-bit vectors of x and y, either precision (only called when <see cref="HasVectorD1"/> and AVX-512 is present).</summary>
    static virtual Vector512<T> D1<T>(Vector512<T> x, Vector512<T> y) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();

    /// <summary>F′ on 256-bit vectors of x and y, either precision (only called when <see cref="HasVectorD1"/>).</summary>
    static virtual Vector256<T> D1<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();

    /// <summary>
    /// An optional vectorised CPU forward y = F(x) over contiguous spans (they may alias); returns
    /// false (the default) to leave it to the loop over the scalar form in <see cref="UnaryLoops"/>.
    /// </summary>
    static virtual bool TryApply<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> => false;

    /// <summary>
    /// An optional vectorised CPU F′(x) into <paramref name="d"/>, used by the backward loop when there
    /// is no SIMD <c>D1</c>; returns false (the default) to leave it to the scalar form.
    /// </summary>
    static virtual bool TryD1<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T> => false;

    /// <summary>
    /// An optional fused CPU backward r = g·F′(x) over contiguous spans; returns false (the default)
    /// to leave it to <see cref="UnaryLoops"/>.
    /// </summary>
    static virtual bool TryBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> r) where T : unmanaged, IFloatingPointIeee754<T> => false;
}
