using System.Numerics;
using System.Runtime.InteropServices;

namespace SciKernels.Optim;

/// <summary>
/// Single-pass CPU update loops over parameter, gradient and state spans. Each loop runs a SIMD body
/// and a scalar tail that perform the same operations in the same order (no FMA), so an element's
/// result does not depend on whether it fell in the vector part or the tail.
/// </summary>
internal static class FusedKernels
{
    /// <summary>SGD with optional weight decay, (Nesterov) momentum and dampening.</summary>
    public static void Sgd<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> buf, T lr, T weightDecay, T momentum, T dampening, bool nesterov, bool firstStep)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool decay = weightDecay != T.Zero, useMomentum = momentum != T.Zero;
        T keep = T.One - dampening;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vp = MemoryMarshal.Cast<T, Vector<T>>(p);
            var vg = MemoryMarshal.Cast<T, Vector<T>>(g);
            var vb = useMomentum ? MemoryMarshal.Cast<T, Vector<T>>(buf) : default;
            Vector<T> vlr = new(lr), vwd = new(weightDecay), vmom = new(momentum), vkeep = new(keep);
            for (int k = 0; k < vp.Length; k++)
            {
                var d = vg[k];
                if (decay) d += vwd * vp[k];
                if (useMomentum)
                {
                    var b = firstStep ? d : vmom * vb[k] + vkeep * d;
                    vb[k] = b;
                    d = nesterov ? d + vmom * b : b;
                }
                vp[k] -= vlr * d;
            }
            i = vp.Length * Vector<T>.Count;
        }
        for (; i < p.Length; i++)
        {
            T d = g[i];
            if (decay) d += weightDecay * p[i];
            if (useMomentum)
            {
                T b = firstStep ? d : momentum * buf[i] + keep * d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] -= lr * d;
        }
    }

    /// <summary>
    /// Adam / AdamW: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − stepSize·m/(√v/√bc₂ + ε),
    /// with decoupled decay p ← p(1 − lr·wd) first (AdamW) or L2 decay g ← g + wd·p (Adam).
    /// </summary>
    public static void Adam<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T beta1, T beta2, T eps, T stepSize, T bc2Sqrt, T weightDecay, T decoupledFactor, bool decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool decay = weightDecay != T.Zero;
        T c1 = T.One - beta1, c2 = T.One - beta2;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vp = MemoryMarshal.Cast<T, Vector<T>>(p);
            var vg = MemoryMarshal.Cast<T, Vector<T>>(g);
            var vm = MemoryMarshal.Cast<T, Vector<T>>(m);
            var vv = MemoryMarshal.Cast<T, Vector<T>>(v);
            Vector<T> b1 = new(beta1), b2 = new(beta2), vc1 = new(c1), vc2 = new(c2), ve = new(eps), vs = new(stepSize),
                vbc = new(bc2Sqrt), vwd = new(weightDecay), vdf = new(decoupledFactor);
            for (int k = 0; k < vp.Length; k++)
            {
                var x = vp[k];
                var gr = vg[k];
                if (decay)
                {
                    if (decoupled) x *= vdf;
                    else gr += vwd * x;
                }
                var mk = b1 * vm[k] + vc1 * gr;
                var vk = b2 * vv[k] + vc2 * (gr * gr);
                vm[k] = mk;
                vv[k] = vk;
                vp[k] = x - vs * mk / (Vector.SquareRoot(vk) / vbc + ve);
            }
            i = vp.Length * Vector<T>.Count;
        }
        for (; i < p.Length; i++)
        {
            T x = p[i];
            T gr = g[i];
            if (decay)
            {
                if (decoupled) x *= decoupledFactor;
                else gr += weightDecay * x;
            }
            T mk = beta1 * m[i] + c1 * gr;
            T vk = beta2 * v[i] + c2 * (gr * gr);
            m[i] = mk;
            v[i] = vk;
            p[i] = x - stepSize * mk / (T.Sqrt(vk) / bc2Sqrt + eps);
        }
    }

    /// <summary>Σ x² accumulated in double (for gradient norms).</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double s = 0;
        foreach (var e in x)
        {
            double d = double.CreateTruncating(e);
            s += d * d;
        }
        return s;
    }

    /// <summary>x ← c·x.</summary>
    public static void Scale<T>(Span<T> x, T c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var vx = MemoryMarshal.Cast<T, Vector<T>>(x);
            var vc = new Vector<T>(c);
            for (int k = 0; k < vx.Length; k++) vx[k] *= vc;
            i = vx.Length * Vector<T>.Count;
        }
        for (; i < x.Length; i++) x[i] *= c;
    }
}
