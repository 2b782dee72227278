using SciKernels.Equivariant;
using SciKernels.NN;
using Xunit;

namespace SciKernels.Tests.Equivariant;

/// <summary>
/// The EGNN layers against a straightforward loop implementation of the paper's equations (and the
/// reference's conventions: receiver = row = i, mean coordinate aggregation, sum feature aggregation,
/// per-edge clamp), reading the same weights.
/// </summary>
public class EgnnReferenceTests
{
    private sealed class Weights(Module module)
    {
        private readonly Dictionary<string, (double[] Values, int[] Shape)> p =
            module.NamedParameters().ToDictionary(x => x.Name, x => (x.Parameter.ToArray<double>(), x.Parameter.Shape.ToArray()));

        /// <summary>W·u + b of the Linear named <paramref name="name"/>.</summary>
        public double[] Linear(string name, double[] u)
        {
            var (w, shape) = p[name + ".weight"];
            Assert.Equal(shape[1], u.Length);
            var y = new double[shape[0]];
            for (int o = 0; o < shape[0]; o++)
            {
                double s = p.TryGetValue(name + ".bias", out var b) ? b.Values[o] : 0;
                for (int k = 0; k < u.Length; k++) s += w[o * u.Length + k] * u[k];
                y[o] = s;
            }
            return y;
        }
    }

    private static double Act(Activation a, double z) => a switch
    {
        Activation.Relu => Math.Max(z, 0),
        Activation.Silu => z / (1 + Math.Exp(-z)),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    private static double[] Act(Activation a, double[] z) => z.Select(v => Act(a, v)).ToArray();

    private static double[] Row(double[]? m, int cols, int i) => m is null ? [] : m.AsSpan(i * cols, cols).ToArray();

    /// <summary>E_GCL_vel by the equations, one edge and one node at a time.</summary>
    private static (double[] H, double[] X, double[] V, int Clamped) Reference(EgclVel layer, double[] h, double[] x, double[] v, long[] s, long[] r, double[]? ea, double[]? na, int d)
    {
        var o = layer.Options;
        var w = new Weights(layer);
        int n = h.Length / layer.InputFeatures, fin = layer.InputFeatures, hid = layer.HiddenFeatures, e = s.Length;
        var sumM = new double[n, hid];
        var sumT = new double[n, d];
        var count = new int[n];
        int clamped = 0;
        for (int k = 0; k < e; k++)
        {
            int i = (int)r[k], j = (int)s[k];
            var diff = new double[d];
            double radial = 0;
            for (int a = 0; a < d; a++)
            {
                diff[a] = x[i * d + a] - x[j * d + a];
                radial += diff[a] * diff[a];
            }
            if (o.NormDiff)
                for (int a = 0; a < d; a++) diff[a] /= Math.Sqrt(radial) + 1;
            double[] input = [.. Row(h, fin, i), .. Row(h, fin, j), radial, .. Row(ea, o.EdgeAttributes, k)];
            var m = Act(o.Activation, w.Linear("edge_mlp.2", Act(o.Activation, w.Linear("edge_mlp.0", input))));
            if (o.Attention)
            {
                double gate = 1 / (1 + Math.Exp(-w.Linear("att_mlp.0", m)[0]));
                for (int c = 0; c < hid; c++) m[c] *= gate;
            }
            double phiX = w.Linear("coord_mlp.2", Act(o.Activation, w.Linear("coord_mlp.0", m)))[0];
            if (o.Tanh) phiX = Math.Tanh(phiX) * o.CoordsRange;
            for (int a = 0; a < d; a++)
            {
                double t = diff[a] * phiX;
                if (Math.Abs(t) > o.CoordClamp) clamped++;
                sumT[i, a] += Math.Clamp(t, -o.CoordClamp, o.CoordClamp);
            }
            for (int c = 0; c < hid; c++) sumM[i, c] += m[c];
            count[i]++;
        }
        int fout = layer.OutputFeatures;
        var hOut = new double[n * fout];
        var xOut = new double[n * d];
        var vOut = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            var hi = Row(h, fin, i);
            double phiV = w.Linear("coord_mlp_vel.2", Act(o.Activation, w.Linear("coord_mlp_vel.0", hi)))[0];
            for (int a = 0; a < d; a++)
            {
                vOut[i * d + a] = phiV * v[i * d + a] + o.CoordsWeight * sumT[i, a] / Math.Max(count[i], 1);
                xOut[i * d + a] = x[i * d + a] + vOut[i * d + a];
            }
            double[] input = [.. hi, .. Enumerable.Range(0, hid).Select(c => sumM[i, c]), .. Row(na, o.NodeAttributes, i)];
            var dh = w.Linear("node_mlp.2", Act(o.Activation, w.Linear("node_mlp.0", input)));
            for (int c = 0; c < fout; c++) hOut[i * fout + c] = (o.Recurrent ? hi[c] : 0) + dh[c];
        }
        return (hOut, xOut, vOut, clamped);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(1, 1.0)]
    [InlineData(2, 1.0)]
    [InlineData(0, 60.0)] // far apart: some per-edge terms exceed ±100 and are clamped
    public void EgclVelMatchesTheEquations(int config, double scale)
    {
        var c = EgnnPropertyTests.MakeCase(config, 3, seed: (ulong)(700 + config));
        var x = c.X.Mul(scale);
        var (h, xo, v) = c.Layer.Forward(c.H, x, c.Senders, c.Receivers, c.V, c.EdgeAttr, c.NodeAttr);
        var (hr, xr, vr, clamped) = Reference(c.Layer, c.H.ToArray<double>(), x.ToArray<double>(), c.V.ToArray<double>(), c.S, c.R,
            c.EdgeAttr?.ToArray<double>(), c.NodeAttr?.ToArray<double>(), 3);
        AssertClose(hr, h.ToArray<double>());
        AssertClose(xr, xo.ToArray<double>());
        AssertClose(vr, v.ToArray<double>());
        if (scale > 1) Assert.True(clamped > 0, "the far-apart case should exercise the clamp");
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
