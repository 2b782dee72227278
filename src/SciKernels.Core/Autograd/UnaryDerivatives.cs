using SciKernels.Backends;
using SciKernels.Cpu;
using SciKernels.Functions;

namespace SciKernels;

// The derivative passes of the element-wise functions (Functions/): every autodiff rule of Apply<F>,
// at every order, is one primitive r = f₁·…·fₙ·F⁽ⁿ⁾(x) with n factors.
public sealed partial class Tensor
{
    /// <summary>Highest order with a fused pass: F‴, the highest scalar form of <see cref="IUnaryFunction"/>.</summary>
    private const int MaxFusedDerivativeOrder = 3;

    /// <summary>
    /// r = f₁·…·fₙ·F⁽ⁿ⁾(x) with n = <paramref name="factors"/>.Length, given y = F(x): the reverse and
    /// forward rule of <see cref="Apply{F}"/> (n = 1) and, differentiated again, the rules of those rules.
    /// </summary>
    /// <remarks>
    /// <para>Rules (r is linear in each factor): ∂r/∂fᵢ·h = the same primitive with fᵢ replaced by h;
    /// ∂r/∂x·h = the primitive of order n + 1 with h appended. So the reverse-over-reverse graph of a
    /// tanh network holds one pass per rule instead of a chain of products and polynomial ops in y.</para>
    /// <para>Passes: n = 1 is the backend's <see cref="IBackend.UnaryBackward"/> (every device);
    /// n = 2, 3 run the CPU kernel over the scalar forms <c>D2</c>/<c>D3</c> on host memory
    /// (<see cref="UnaryLoops.SecondDerivative{F, T}"/>, <see cref="UnaryLoops.ThirdDerivative{F, T}"/>),
    /// elsewhere the composite of the tensor forms; n ≥ 4 is the composite, F⁽ⁿ⁾ being the forward-mode
    /// derivative of the tensor form of F⁽ⁿ⁻¹⁾.</para>
    /// </remarks>
    internal static Tensor UnaryDerivative<F>(Tensor x, Tensor y, Tensor[] factors) where F : struct, IUnaryFunction
    {
        string name = OpName(F.Op);
        foreach (var f in factors) CheckFloatOperands(name, y, f);
        int n = factors.Length;
        Tensor r;
        if (n == 1)
        {
            r = Empty(y.shape, y.DType, y.Device);
            UnaryDerivativePass<F>(x, y, factors, r, static (x, y, f, r) => y.Backend.UnaryBackward(F.Op, x, y, f[0], r));
        }
        else if (n <= MaxFusedDerivativeOrder && HostMemory.Holds(x) && HostMemory.Holds(y) && Array.TrueForAll(factors, HostMemory.Holds))
        {
            r = Empty(y.shape, y.DType, y.Device);
            UnaryDerivativePass<F>(x, y, factors, r, HostDerivative<F>);
        }
        else
        {
            return UnaryDerivativeComposite<F>(x, y, factors);
        }
        return Record(r, name, [x, .. factors], h => UnaryDerivativeBackward<F>(x, y, factors, h), t => UnaryDerivativeJvp<F>(r, x, y, factors, t));
    }

    /// <summary>Runs <paramref name="pass"/> on dense operands of y's shape (x may be a strided view, a factor an expanded or broadcast one).</summary>
    private static void UnaryDerivativePass<F>(Tensor x, Tensor y, Tensor[] factors, Tensor r, Action<Tensor, Tensor, Tensor[], Tensor> pass)
        where F : struct, IUnaryFunction
    {
        string name = OpName(F.Op);
        var xc = x.Contiguous();
        var yc = y.Contiguous();
        var fc = new Tensor[factors.Length];
        for (int i = 0; i < fc.Length; i++)
        {
            var fe = factors[i].shape.AsSpan().SequenceEqual(y.shape) ? factors[i] : factors[i].BroadcastTo(y.shape, name);
            fc[i] = fe.Contiguous();
            if (!ReferenceEquals(fe, factors[i]) && !ReferenceEquals(fc[i], fe)) fe.Dispose();
        }
        pass(xc, yc, fc, r);
        if (!ReferenceEquals(xc, x)) xc.Dispose();
        if (!ReferenceEquals(yc, y)) yc.Dispose();
        for (int i = 0; i < fc.Length; i++)
            if (!ReferenceEquals(fc[i], factors[i])) fc[i].Dispose();
    }

    /// <summary>The CPU kernel of orders 2 and 3 over dense host operands.</summary>
    private static unsafe void HostDerivative<F>(Tensor x, Tensor y, Tensor[] f, Tensor r) where F : struct, IUnaryFunction
    {
        if (r.DType == DType.Float32) HostDerivative<F, float>(x, y, f, r);
        else HostDerivative<F, double>(x, y, f, r);
        GC.KeepAlive(x);
        GC.KeepAlive(y);
        GC.KeepAlive(f);
        GC.KeepAlive(r);
    }

    private static unsafe void HostDerivative<F, T>(Tensor x, Tensor y, Tensor[] f, Tensor r)
        where F : struct, IUnaryFunction where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        T* px = HostMemory.Ptr<T>(x), py = HostMemory.Ptr<T>(y), pa = HostMemory.Ptr<T>(f[0]), pb = HostMemory.Ptr<T>(f[1]);
        T* pc = f.Length > 2 ? HostMemory.Ptr<T>(f[2]) : null, pr = HostMemory.Ptr<T>(r);
        CpuParallel.For(r.NumElements, CpuParallel.ElementGrain, (s, len) =>
        {
            int m = (int)len;
            ReadOnlySpan<T> xs = new(px + s, m), ys = new(py + s, m), a = new(pa + s, m), b = new(pb + s, m);
            Span<T> rs = new(pr + s, m);
            if (pc is null) UnaryLoops.SecondDerivative<F, T>(xs, ys, a, b, rs);
            else UnaryLoops.ThirdDerivative<F, T>(xs, ys, a, b, new ReadOnlySpan<T>(pc + s, m), rs);
        });
    }

    /// <summary>f₁·…·fₙ·F⁽ⁿ⁾(x) as differentiable tensor operations (devices without the fused pass, and n ≥ 4).</summary>
    private static Tensor UnaryDerivativeComposite<F>(Tensor x, Tensor y, Tensor[] factors) where F : struct, IUnaryFunction
    {
        var r = factors[0];
        for (int i = 1; i < factors.Length; i++) r = r.Mul(factors[i]);
        r = r.Mul(DerivativeTensor<F>(factors.Length, x, y));
        return r.shape.AsSpan().SequenceEqual(y.shape) ? r : r.Expand(y.shape);
    }

    /// <summary>F⁽ⁿ⁾ as tensor operations: the function's tensor forms up to F‴, above that the forward-mode derivative of the form one order lower.</summary>
    private static Tensor DerivativeTensor<F>(int n, Tensor x, Tensor y) where F : struct, IUnaryFunction => n switch
    {
        1 => F.D1(x, y),
        2 => F.D2(x, y),
        3 => F.D3(x, y),
        _ => Autodiff.Jvp(t => DerivativeTensor<F>(n - 1, t, t.Apply<F>()), x, OnesLike(x)).Tangent,
    };

    private static Tensor?[] UnaryDerivativeBackward<F>(Tensor x, Tensor y, Tensor[] factors, Tensor h) where F : struct, IUnaryFunction
    {
        var grads = new Tensor?[factors.Length + 1];
        if (x.requiresGrad) grads[0] = UnaryDerivative<F>(x, y, [.. factors, h]);
        for (int i = 0; i < factors.Length; i++)
            if (factors[i].requiresGrad) grads[i + 1] = UnaryDerivative<F>(x, y, Replace(factors, i, h)).SumTo(factors[i].shape);
        return grads;
    }

    private static Tensor? UnaryDerivativeJvp<F>(Tensor r, Tensor x, Tensor y, Tensor[] factors, Tensor?[] t) where F : struct, IUnaryFunction
    {
        Tensor? sum = t[0] is { } tx ? UnaryDerivative<F>(x, y, [.. factors, tx]) : null;
        for (int i = 0; i < factors.Length; i++)
            if (t[i + 1] is { } ti) sum = SumTangents(r, sum, UnaryDerivative<F>(x, y, Replace(factors, i, ti)));
        return sum;
    }

    private static Tensor[] Replace(Tensor[] factors, int i, Tensor h)
    {
        var f = (Tensor[])factors.Clone();
        f[i] = h;
        return f;
    }
}
