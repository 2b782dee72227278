using SciKernels.Autograd;
using SciKernels.Optim;
using SciKernels.Pinn;
using NNMlp = SciKernels.NN.Mlp;

namespace SciKernels.Benchmarks;

/// <summary>The Burgers PINN training problem shared by <see cref="PinnBenchmarks"/>.</summary>
public sealed class PinnBurgers : IDisposable
{
    public const int Collocation = 10_000, Boundary = 100, Width = 20, Hidden = 8;
    public static readonly double Nu = 0.01 / Math.PI;

    private readonly NNMlp net;
    private readonly Adam adam;
    private readonly Tensor xf, xb, ub;

    /// <summary>Builds the network, optimizer and points (on <paramref name="device"/>; default the CPU).</summary>
    public PinnBurgers(ulong seed = 42, Device? device = null)
    {
        device ??= Device.Cpu;
        var gen = new Random.Generator(seed);
        var widths = new List<int> { 2 };
        for (int i = 0; i < Hidden; i++) widths.Add(Width);
        widths.Add(1);
        net = new NNMlp(widths, gen, NN.Activation.Tanh, initializer: NNMlp.XavierInit());
        net.To(device);
        adam = new Adam(net.Parameters(), learningRate: 1e-3);

        // Collocation points (x, t) ∈ [−1, 1] × [0, 1].
        var f = new float[Collocation * 2];
        for (int i = 0; i < Collocation; i++)
        {
            f[2 * i] = (float)(2 * gen.NextDouble() - 1);
            f[2 * i + 1] = (float)gen.NextDouble();
        }
        xf = TensorScope.Keep(Tensor.FromArray(f, Collocation, 2).To(device));
        // Half initial points u(x, 0) = −sin(πx), half boundary points u(±1, t) = 0.
        var b = new float[Boundary * 2];
        var g = new float[Boundary];
        for (int i = 0; i < Boundary; i++)
        {
            if (i < Boundary / 2)
            {
                double x = 2 * gen.NextDouble() - 1;
                b[2 * i] = (float)x;
                g[i] = (float)-Math.Sin(Math.PI * x);
            }
            else
            {
                b[2 * i] = i % 2 == 0 ? -1f : 1f;
                b[2 * i + 1] = (float)gen.NextDouble();
            }
        }
        xb = TensorScope.Keep(Tensor.FromArray(b, Boundary, 2).To(device));
        ub = TensorScope.Keep(Tensor.FromArray(g, Boundary, 1).To(device));
    }

    /// <summary>One Adam step; returns the loss.</summary>
    /// <param name="taylor">Taylor propagation (true) or reverse-over-reverse autodiff (false) for u_x, u_t, u_xx.</param>
    public double Step(bool taylor)
    {
        using var scope = TensorScope.Begin();
        Tensor u, ux, ut, uxx;
        if (taylor)
        {
            var r = TaylorMlp.Forward(net, xf, TaylorRequest.SpaceTime1D);
            (u, ux, ut, uxx) = (r.U, r.Dx[0], r.Dx[1], r.Dxx[0, 0]);
        }
        else
        {
            var x = xf.Detach().RequiresGrad_();
            u = net.Forward(x);
            var ones = Tensor.OnesLike(u);
            var g = Autodiff.Grad(new[] { u }, new[] { x }, new[] { ones }, createGraph: true)[0];
            ux = g.Narrow(1, 0, 1);
            ut = g.Narrow(1, 1, 1);
            uxx = Autodiff.Grad(new[] { ux }, new[] { x }, new[] { ones }, createGraph: true)[0].Narrow(1, 0, 1);
        }
        var residual = ut.Add(u.Mul(ux)).Sub(uxx.Mul(Nu));
        var loss = residual.Square().Mean().Add(net.Forward(xb).Sub(ub).Square().Mean());
        adam.ZeroGrad();
        loss.Backward();
        adam.Step();
        return loss.Item();
    }

    public void Dispose()
    {
        adam.Dispose();
        net.Dispose();
        xf.Dispose();
        xb.Dispose();
        ub.Dispose();
    }
}
