using SciKernels.Autograd;
using SciKernels.Graphs;
using SciKernels.Potentials;
using SciKernels.Random;
using SciKernels.Tests.Equivariant.TensorProducts;
using Xunit;

namespace SciKernels.Tests.Potentials.Nequip;

/// <summary>The NequIP-style potential: symmetries of its energy, forces against finite differences, and second derivatives (training on forces).</summary>
public class NequipModelTests
{
    private const double Cutoff = 3.0;

    private static NequipModel Make()
    {
        var o = new NequipOptions { Cutoff = Cutoff, Channels = 4, LMax = 2, Layers = 2, NumBasis = 4, RadialHidden = [8], AverageNeighbors = 4 };
        var model = new NequipModel([29, 79], o, new Generator(1), DType.Float64);
        model.SetEnergyReference([-3.5, -2.25], 0.7);
        return model;
    }

    /// <summary>A random cluster of 8 atoms (no pair closer than 1 Å) and its species.</summary>
    private static (double[] Positions, long[] Species) Cluster(int seed)
    {
        var rng = new System.Random(seed);
        var pos = new List<double>();
        while (pos.Count < 24)
        {
            double x = 3.5 * rng.NextDouble(), y = 3.5 * rng.NextDouble(), z = 3.5 * rng.NextDouble();
            bool ok = true;
            for (int k = 0; k < pos.Count; k += 3)
                ok &= Math.Pow(pos[k] - x, 2) + Math.Pow(pos[k + 1] - y, 2) + Math.Pow(pos[k + 2] - z, 2) > 1;
            if (ok) pos.AddRange([x, y, z]);
        }
        return (pos.ToArray(), Enumerable.Range(0, 8).Select(i => (long)(i % 3 == 0 ? 1 : 0)).ToArray());
    }

    private static Tensor Energies(NequipModel model, Tensor positions, long[] species, Graph? topology = null)
    {
        using var built = topology is null ? NeighborList.RadiusGraph(positions.Detach(), Cutoff) : null;
        var graph = (topology ?? built!).WithGeometry(positions, null);
        return model.AtomicEnergies(graph, Tensor.FromArray(species, species.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EnergyIsInvariantUnderRotationReflectionAndTranslation(bool reflection)
    {
        var model = Make();
        var (p, s) = Cluster(2);
        var x = Tensor.FromDoubles(p, [8, 3], DType.Float64);
        var e0 = Energies(model, x, s);
        var rng = new System.Random(3);
        var r = IrrepsTestSupport.RandomOrthogonal(rng, reflection);
        var moved = IrrepsTestSupport.Transform(x, r).Add(Tensor.FromDoubles([0.3, -1.2, 2.5], [1, 3], DType.Float64));
        var e1 = Energies(model, moved, s);
        Assert.True(IrrepsTestSupport.MaxAbsDiff(e0, e1) < 1e-12, $"{IrrepsTestSupport.MaxAbsDiff(e0, e1)}");
        Assert.True(IrrepsTestSupport.MaxAbs(e0.Sub(e0.Mean())) > 1e-3, "the per-atom energies should differ (the test would be vacuous)");
    }

    [Fact]
    public void PeriodicEnergyIsInvariantUnderRotatingTheCrystal()
    {
        // a distorted FCC crystal of 32 atoms (2×2×2 cubic cells, a = 3.61 Å): rotating positions and cell together
        var model = Make();
        var rng = new System.Random(9);
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var p = new List<double>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int k = 0; k < 2; k++)
                    foreach (var b in basis) p.AddRange([3.61 * (i + b[0]) + 0.1 * rng.NextDouble(), 3.61 * (j + b[1]) + 0.1 * rng.NextDouble(), 3.61 * (k + b[2]) + 0.1 * rng.NextDouble()]);
        var species = Enumerable.Range(0, 32).Select(i => (long)(i % 5 == 0 ? 1 : 0)).ToArray();
        double Energy(Tensor x, Tensor cell)
        {
            using var graph = NeighborList.RadiusGraph(x, Cutoff, cell);
            return model.AtomicEnergies(graph, Tensor.FromArray(species, 32)).Sum().Item();
        }
        var x0 = Tensor.FromDoubles(p.ToArray(), [32, 3], DType.Float64);
        var c0 = Tensor.FromDoubles([7.22, 0, 0, 0, 7.22, 0, 0, 0, 7.22], [3, 3], DType.Float64);
        double e0 = Energy(x0, c0);
        var r = IrrepsTestSupport.RandomOrthogonal(rng, false);
        double e1 = Energy(IrrepsTestSupport.Transform(x0, r), IrrepsTestSupport.Transform(c0, r));
        Assert.True(Math.Abs(e0 - e1) < 1e-10 * (1 + Math.Abs(e0)), $"{e0} vs {e1}");
    }

    [Fact]
    public void RelabellingTheAtomsPermutesTheAtomicEnergies()
    {
        var model = Make();
        var (p, s) = Cluster(4);
        var e0 = Energies(model, Tensor.FromDoubles(p, [8, 3], DType.Float64), s).ToArray<double>();
        int[] perm = [5, 2, 7, 0, 1, 6, 3, 4];
        var p2 = perm.SelectMany(i => p.Skip(3 * i).Take(3)).ToArray();
        var s2 = perm.Select(i => s[i]).ToArray();
        var e1 = Energies(model, Tensor.FromDoubles(p2, [8, 3], DType.Float64), s2).ToArray<double>();
        for (int k = 0; k < 8; k++) Assert.True(Math.Abs(e1[k] - e0[perm[k]]) < 1e-12);
    }

    [Fact]
    public void ForcesAreMinusTheFiniteDifferenceGradientOfTheEnergy()
    {
        var model = Make();
        var (p, s) = Cluster(5);
        using var topology = NeighborList.RadiusGraph(Tensor.FromDoubles(p, [8, 3], DType.Float64), Cutoff);
        var x = Tensor.FromDoubles(p, [8, 3], DType.Float64).RequiresGrad_();
        var forces = Autodiff.Grad([Energies(model, x, s, topology).Sum()], [x])[0].Neg().ToArray<double>();
        const double h = 1e-5;
        for (int k = 0; k < 24; k++)
        {
            var plus = (double[])p.Clone();
            var minus = (double[])p.Clone();
            plus[k] += h;
            minus[k] -= h;
            double ep = Energies(model, Tensor.FromDoubles(plus, [8, 3], DType.Float64), s, topology).Sum().Item();
            double em = Energies(model, Tensor.FromDoubles(minus, [8, 3], DType.Float64), s, topology).Sum().Item();
            double fd = -(ep - em) / (2 * h);
            Assert.True(Math.Abs(forces[k] - fd) < 1e-7 * (1 + Math.Abs(fd)), $"coordinate {k}: autodiff {forces[k]} vs finite differences {fd}");
        }
        Assert.True(forces.Max(Math.Abs) > 1e-3, "forces should not vanish (the test would be vacuous)");
    }

    [Fact]
    public void ForceLossGradientsWithRespectToParametersMatchFiniteDifferences()
    {
        // training on forces differentiates twice: d/dθ Σ F(θ)·v with F = −∂E/∂x
        var model = Make();
        var (p, s) = Cluster(6);
        using var topology = NeighborList.RadiusGraph(Tensor.FromDoubles(p, [8, 3], DType.Float64), Cutoff);
        var v = Tensor.Randn([8, 3], new Generator(7), DType.Float64);
        double Loss(bool grad, out Tensor? lossTensor)
        {
            var x = Tensor.FromDoubles(p, [8, 3], DType.Float64).RequiresGrad_();
            var f = Autodiff.Grad([Energies(model, x, s, topology).Sum()], [x], createGraph: grad)[0].Neg();
            lossTensor = f.Mul(v).Sum();
            return lossTensor.Item();
        }
        Loss(true, out var loss);
        var all = model.NamedParameters().ToArray();
        // one of each kind: embedding, radial MLP, the linear after a convolution (an l = 2 block), self-connection
        (string Name, Tensor Parameter)[] named =
        [
            all.Single(n => n.Name == "embedding"), all.Single(n => n.Name == "block_0.radial.mlp.layers.0.weight"),
            all.Last(n => n.Name.StartsWith("block_1.linear_2.weight", StringComparison.Ordinal)), all.First(n => n.Name.StartsWith("block_0.self_connection.weight", StringComparison.Ordinal)),
        ];
        var grads = Autodiff.Grad([loss!], named.Select(n => n.Parameter).ToArray(), allowUnused: false);
        const double h = 1e-6;
        for (int k = 0; k < named.Length; k++)
        {
            var param = named[k].Parameter;
            var values = param.ToArray<double>();
            var g = grads[k].ToArray<double>();
            for (int i = 0; i < Math.Min(values.Length, 6); i++)
            {
                double Eval(double delta)
                {
                    var copy = (double[])values.Clone();
                    copy[i] += delta;
                    param.CopyFrom(Tensor.FromDoubles(copy, param.Shape, DType.Float64));
                    return Loss(false, out _);
                }
                double fd = (Eval(h) - Eval(-h)) / (2 * h);
                param.CopyFrom(Tensor.FromDoubles(values, param.Shape, DType.Float64));
                Assert.True(Math.Abs(g[i] - fd) < 1e-6 * (1 + Math.Abs(fd)), $"{named[k].Name}[{i}]: autodiff {g[i]} vs finite differences {fd}");
            }
        }
    }

    [Fact]
    public void BadSpeciesAndShiftsAreRejectedWithTheProblemNamed()
    {
        var model = Make();
        var (p, _) = Cluster(8);
        var x = Tensor.FromDoubles(p, [8, 3], DType.Float64);
        var ex = Assert.Throws<TensorException>(() => Energies(model, x, [0, 1, 2, 0, 0, 0, 0, 0]));
        Assert.Contains("species index 2", ex.Message);
        Assert.Throws<ArgumentException>(() => model.SetEnergyReference([1.0], 1));
        Assert.Equal(new[] { 29, 79 }, model.AtomicNumbers);
        Assert.Equal(Cutoff, model.Cutoff);
    }
}
