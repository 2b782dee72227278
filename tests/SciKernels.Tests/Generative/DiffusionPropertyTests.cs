using FsCheck.Xunit;
using SciKernels.Generative;
using SciKernels.NN;
using SciKernels.Random;
using Xunit;

using SciKernels.Tests.Crystals;

namespace SciKernels.Tests.Generative;

/// <summary>
/// The equivariant diffusion core: E(3) and permutation equivariance of the denoiser, the schedules, the
/// noising and posterior algebra against closed forms, and reproducible zero-CoM samples.
/// </summary>
public sealed class DiffusionPropertyTests
{
    /// <summary>A float64 denoiser whose coordinate path is drawn at a visible scale (the gain-0.001 start hides it).</summary>
    private static EgnnDenoiser Denoiser(ulong seed, int species = 2, bool edm = false)
    {
        var gen = new Generator(seed);
        var model = new EgnnDenoiser(species, 8, 2, gen, DType.Float64, edm ? EgnnDenoiser.EdmLayerOptions(2) : null);
        foreach (var (name, p) in model.NamedParameters())
            if (name.EndsWith("coord_mlp.2.weight", StringComparison.Ordinal)) Init.Normal(p, gen, 0, 0.5);
        return model;
    }

    /// <summary>Row vectors times Qᵀ plus a shift: x_i → Q x_i + t.</summary>
    private static double[] Transform(double[] x, double[] q, double[] shift)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length / 3; i++)
            for (int r = 0; r < 3; r++)
                y[3 * i + r] = q[3 * r] * x[3 * i] + q[3 * r + 1] * x[3 * i + 1] + q[3 * r + 2] * x[3 * i + 2] + shift[r];
        return y;
    }

    private static double[] Predict(EgnnDenoiser model, double[] z, int b, int n, int[] types, double[] time)
    {
        var diffusion = new EquivariantDiffusion(model, NoiseSchedule.Cosine(10));
        var onehot = new double[b * n * model.Species];
        for (int s = 0; s < b; s++)
            for (int i = 0; i < n; i++) onehot[(s * n + i) * model.Species + types[s * n + i]] = 1;
        _ = diffusion;
        return model.Forward(Tensor.FromDoubles(z, [b, n, 3], DType.Float64), Tensor.FromDoubles(onehot, [b, n, model.Species], DType.Float64),
            Tensor.FromDoubles(time, [b], DType.Float64)).ToArray<double>();
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 1e-3, $"{what}: predictions too small ({scale}) for the test to see anything");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tol * scale, $"{what}: [{k}] {expected[k]:R} vs {actual[k]:R}");
    }

    [Property(MaxTest = 12)]
    public bool DenoiserIsE3Equivariant(int seed, bool reflect, bool edm)
    {
        var rng = new System.Random(seed);
        const int b = 2, n = 5;
        var model = Denoiser((ulong)(uint)seed, edm: edm);
        var z = Enumerable.Range(0, b * n * 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var types = Enumerable.Range(0, b * n).Select(_ => rng.Next(2)).ToArray();
        var time = new[] { rng.NextDouble(), rng.NextDouble() };
        var q = CrystalTestSupport.Orthogonal(rng, reflect);
        var shift = new[] { 5 * rng.NextDouble(), -3 * rng.NextDouble(), rng.NextDouble() };
        var eps = Predict(model, z, b, n, types, time);
        var epsMoved = Predict(model, Transform(z, q, shift), b, n, types, time);
        AssertClose(Transform(eps, q, [0, 0, 0]), epsMoved, 1e-10, $"seed {seed}, reflect {reflect}, EDM coordinates {edm}");
        // The prediction lies in the zero-centre-of-mass subspace.
        Assert.True(ZeroCentre.MaxCentreOffset(eps, n) < 1e-12);
        return true;
    }

    [Property(MaxTest = 12)]
    public bool DenoiserIsPermutationEquivariant(int seed, bool edm)
    {
        var rng = new System.Random(seed);
        const int b = 2, n = 6;
        var model = Denoiser((ulong)(uint)seed + 99, edm: edm);
        var z = Enumerable.Range(0, b * n * 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var types = Enumerable.Range(0, b * n).Select(_ => rng.Next(2)).ToArray();
        var time = new[] { rng.NextDouble(), rng.NextDouble() };
        var perm = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var zp = new double[z.Length];
        var tp = new int[types.Length];
        for (int s = 0; s < b; s++)
            for (int i = 0; i < n; i++)
            {
                tp[s * n + i] = types[s * n + perm[i]];
                for (int c = 0; c < 3; c++) zp[(s * n + i) * 3 + c] = z[(s * n + perm[i]) * 3 + c];
            }
        var eps = Predict(model, z, b, n, types, time);
        var epsP = Predict(model, zp, b, n, tp, time);
        var expected = new double[eps.Length];
        for (int s = 0; s < b; s++)
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 3; c++) expected[(s * n + i) * 3 + c] = eps[(s * n + perm[i]) * 3 + c];
        AssertClose(expected, epsP, 1e-10, $"seed {seed}");
        return true;
    }

    [Property(MaxTest = 8)]
    public bool SummedCoordinatesWithWeightOneOverDegreeEqualTheMean(int seed)
    {
        // On the fully connected graph every atom has n − 1 neighbours, so EDM's sum scaled by 1/(n − 1)
        // is the mean: the same weights must give the same prediction up to rounding.
        var rng = new System.Random(seed);
        const int b = 2, n = 5;
        var mean = Denoiser((ulong)(uint)seed + 7);
        var gen = new Generator((ulong)(uint)seed + 7);
        var sum = new EgnnDenoiser(2, 8, 2, gen, DType.Float64, EgnnDenoiser.DefaultLayerOptions with
        {
            CoordsAggregation = SciKernels.Equivariant.CoordinateAggregation.Sum,
            CoordsWeight = 1.0 / (n - 1),
        });
        foreach (var ((_, ps), (_, pm)) in sum.NamedParameters().Zip(mean.NamedParameters())) ps.CopyFrom(pm);
        var z = Enumerable.Range(0, b * n * 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var types = Enumerable.Range(0, b * n).Select(_ => rng.Next(2)).ToArray();
        var time = new[] { rng.NextDouble(), rng.NextDouble() };
        AssertClose(Predict(mean, z, b, n, types, time), Predict(sum, z, b, n, types, time), 1e-12, $"seed {seed}");
        // and without the 1/(n − 1) the sum's prediction is (n − 1) times larger in the first layer's step: not equal
        var plain = new EgnnDenoiser(2, 8, 2, new Generator(1), DType.Float64, EgnnDenoiser.DefaultLayerOptions with { CoordsAggregation = SciKernels.Equivariant.CoordinateAggregation.Sum });
        foreach (var ((_, ps), (_, pm)) in plain.NamedParameters().Zip(mean.NamedParameters())) ps.CopyFrom(pm);
        var a = Predict(mean, z, b, n, types, time);
        var c = Predict(plain, z, b, n, types, time);
        Assert.Contains(Enumerable.Range(0, a.Length), k => Math.Abs(a[k] - c[k]) > 1e-3 * a.Max(Math.Abs));
        return true;
    }

    [Fact]
    public void EdmLayerOptionsSplitTheRangeAndRejectBadValues()
    {
        var o = EgnnDenoiser.EdmLayerOptions(3, 15, 4);
        Assert.Equal(SciKernels.Equivariant.CoordinateAggregation.Sum, o.CoordsAggregation);
        Assert.Equal(5, o.CoordsRange);
        Assert.Equal(0.25, o.CoordsWeight);
        Assert.Throws<ArgumentOutOfRangeException>(() => EgnnDenoiser.EdmLayerOptions(3, 0));
        var ex = Assert.Throws<ArgumentException>(() => new EgnnDenoiser(1, 8, 1, new Generator(1), layerOptions: o with { EdgeAttributes = 2 }));
        Assert.Contains("EgnnDenoiser", ex.Message);
    }

    [Theory]
    [InlineData("cosine", 1000)]
    [InlineData("polynomial_2", 1000)]
    [InlineData("polynomial_2", 7)]
    [InlineData("cosine", 3)]
    public void SchedulesAreVariancePreservingAndDecreasing(string name, int steps)
    {
        var s = NoiseSchedule.FromName(name, steps);
        Assert.Equal(steps, s.Steps);
        for (int t = 0; t <= steps; t++)
        {
            Assert.Equal(1, s.Alpha(t) * s.Alpha(t) + s.Sigma(t) * s.Sigma(t), 12);
            if (t > 0) Assert.True(s.AlphaBar(t) < s.AlphaBar(t - 1), $"{name}: ᾱ not decreasing at t = {t}");
        }
        if (steps >= 100) Assert.True(s.AlphaBar(0) > 0.99);
        Assert.True(s.AlphaBar(steps) < 0.05);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Alpha(steps + 1));
    }

    [Fact]
    public void PolynomialScheduleMatchesItsClosedFormAndClips()
    {
        const double precision = 1e-5;
        var s = NoiseSchedule.Polynomial(100, 2, precision);
        // Away from the end no ratio is clipped: ᾱ_t = (1 − 2s)(1 − (t/T)²)² + s.
        foreach (int t in new[] { 0, 1, 37, 90 })
        {
            double u = t / 100.0, raw = (1 - u * u) * (1 - u * u);
            Assert.Equal((1 - 2 * precision) * raw + precision, s.AlphaBar(t), 14);
        }
        // At t = T the raw value is 0: the last ratio is clipped to 0.001 of the previous product.
        double before = (s.AlphaBar(99) - precision) / (1 - 2 * precision);
        Assert.Equal(0.001 * before * (1 - 2 * precision) + precision, s.AlphaBar(100), 14);
        Assert.True(s.AlphaBar(100) >= precision && s.AlphaBar(0) <= 1 - precision);
        Assert.Throws<ArgumentException>(() => NoiseSchedule.FromName("linear", 10));
    }

    [Fact]
    public void NoisingHasTheMomentsOfQ()
    {
        const int m = 20000, n = 4, t = 300;
        var model = Denoiser(1);
        var diffusion = new EquivariantDiffusion(model, NoiseSchedule.Polynomial(500));
        var rng = new System.Random(4);
        var x = new double[n * 3];
        for (int k = 0; k < x.Length; k++) x[k] = rng.NextDouble() * 2 - 1;
        var xt = ZeroCentre.Project(Tensor.FromDoubles(x, [1, n, 3], DType.Float64));
        var xs = xt.Expand(m, n, 3).Contiguous();
        var eps = ZeroCentre.Noise(m, n, new Generator(8), DType.Float64);
        var z = diffusion.Noised(xs, Enumerable.Repeat(t, m).ToArray(), eps).ToArray<double>();
        var x0 = xt.ToArray<double>();
        double alpha = diffusion.Schedule.Alpha(t), sigma = diffusion.Schedule.Sigma(t);
        for (int k = 0; k < n * 3; k++)
        {
            double mean = 0, sq = 0;
            for (int j = 0; j < m; j++) mean += z[j * n * 3 + k];
            mean /= m;
            for (int j = 0; j < m; j++) sq += (z[j * n * 3 + k] - mean) * (z[j * n * 3 + k] - mean);
            double variance = sq / (m - 1);
            // In the zero-CoM subspace each coordinate has variance σ²(1 − 1/n).
            double expectedVar = sigma * sigma * (1 - 1.0 / n);
            Assert.True(Math.Abs(mean - alpha * x0[k]) < 5 * Math.Sqrt(expectedVar / m), $"[{k}] mean {mean} vs {alpha * x0[k]}");
            Assert.True(Math.Abs(variance / expectedVar - 1) < 0.05, $"[{k}] variance {variance} vs {expectedVar}");
        }
    }

    [Theory]
    [InlineData("cosine", 50, 49)]
    [InlineData("cosine", 50, 0)]
    [InlineData("polynomial_2", 17, 3)]
    [InlineData("polynomial_2", 100, 99)]
    public void PosteriorMeanIsTheClosedFormWithTheTrueNoise(string schedule, int t, int s)
    {
        var diffusion = new EquivariantDiffusion(Denoiser(2), NoiseSchedule.FromName(schedule, 100));
        var sch = diffusion.Schedule;
        var gen = new Generator(11);
        var x = ZeroCentre.Noise(3, 5, gen, DType.Float64);
        var eps = ZeroCentre.Noise(3, 5, gen, DType.Float64);
        var z = diffusion.Noised(x, [t, t, t], eps);
        var mean = diffusion.PosteriorMean(z, eps, t, s).ToArray<double>();
        // q(z_s | z_t, x): mean (α_s σ²_{t|s}/σ_t²) x + (α_{t|s} σ_s²/σ_t²) z_t, variance σ²_{t|s} σ_s²/σ_t².
        double ats = sch.Alpha(t) / sch.Alpha(s);
        double s2ts = sch.Sigma(t) * sch.Sigma(t) - ats * ats * sch.Sigma(s) * sch.Sigma(s);
        double st2 = sch.Sigma(t) * sch.Sigma(t);
        var xa = x.ToArray<double>();
        var za = z.ToArray<double>();
        for (int k = 0; k < mean.Length; k++)
        {
            double expected = sch.Alpha(s) * s2ts / st2 * xa[k] + ats * sch.Sigma(s) * sch.Sigma(s) / st2 * za[k];
            Assert.True(Math.Abs(expected - mean[k]) < 1e-9 * Math.Max(1, Math.Abs(expected)), $"[{k}] {mean[k]:R} vs {expected:R}");
        }
        Assert.Equal(Math.Sqrt(s2ts * sch.Sigma(s) * sch.Sigma(s) / st2), diffusion.PosteriorStd(t, s), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.PosteriorMean(z, eps, s, t));
    }

    [Theory]
    [InlineData(DiffusionSampler.Ancestral)]
    [InlineData(DiffusionSampler.Ddim)]
    public void SamplesAreReproducibleAndZeroCentred(DiffusionSampler sampler)
    {
        var model = new EgnnDenoiser(1, 8, 2, new Generator(3));
        var diffusion = new EquivariantDiffusion(model, NoiseSchedule.Polynomial(12));
        int[] types = Enumerable.Repeat(0, 7).ToArray();
        var a = diffusion.Sample(5, types, new Generator(21), sampler, ddimSteps: 4, batchSize: 3);
        var b = diffusion.Sample(5, types, new Generator(21), sampler, ddimSteps: 4, batchSize: 3);
        var c = diffusion.Sample(5, types, new Generator(22), sampler, ddimSteps: 4, batchSize: 3);
        Assert.Equal(5 * 7 * 3, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, v => Assert.True(double.IsFinite(v)));
        Assert.True(ZeroCentre.MaxCentreOffset(a, 7) < 1e-5, $"centre offset {ZeroCentre.MaxCentreOffset(a, 7)}");
        Assert.True(model.IsTraining); // restored
    }

    [Fact]
    public void BadInputIsRejectedBeforeWork()
    {
        var diffusion = new EquivariantDiffusion(new EgnnDenoiser(1, 8, 1, new Generator(3)), NoiseSchedule.Cosine(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.Sample(0, [0, 0, 0], new Generator(1)));
        Assert.Contains("knows 1 species", Assert.Throws<ArgumentException>(() => diffusion.Sample(2, [0, 1, 0], new Generator(1))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => diffusion.Sample(2, [0, 0, 0], new Generator(1), DiffusionSampler.Ddim, ddimSteps: 11));
        var ex = Assert.Throws<TensorException>(() => diffusion.Denoiser.Forward(Tensor.Zeros([2, 4, 2]), Tensor.Zeros([2, 4, 1]), Tensor.Zeros([2])));
        Assert.Contains("[B, n ≥ 2, 3]", ex.Message);
    }

    [Fact]
    public void TrainingLowersTheLossOnOneStructure()
    {
        // A sanity check that the loss is trainable: 150 Adam steps on one LJ13 icosahedron.
        var model = new EgnnDenoiser(1, 16, 2, new Generator(5));
        var diffusion = new EquivariantDiffusion(model, NoiseSchedule.Polynomial(100));
        var adam = new SciKernels.Optim.Adam(model.Parameters(), 3e-3);
        var x = ZeroCentre.Project(Tensor.FromDoubles(Lj13.Icosahedron(1.1), [1, 13, 3]).Expand(32, 13, 3).Contiguous());
        var onehot = diffusion.OneHot(new int[13], 32);
        var gen = new Generator(9);
        double Loss(int steps)
        {
            double sum = 0;
            for (int k = 0; k < steps; k++)
            {
                using var scope = TensorScope.Begin();
                adam.ZeroGrad();
                var loss = diffusion.Loss(x, onehot, gen);
                loss.Backward();
                adam.Step();
                sum += loss.Item();
            }
            return sum / steps;
        }
        double first = Loss(20);
        Loss(110);
        double last = Loss(20);
        Assert.True(last < 0.8 * first, $"loss {first} → {last}");
    }
}

/// <summary>The C# example of docs/diffusion.md, at a small size.</summary>
public sealed class DiffusionDocsExampleTests
{
    [Fact]
    public void TheDocsExampleRuns()
    {
        var data = SciKernels.Data.Lj13Dataset.Load(64, seed: 0, temperature: 0.1);
        var denoiser = new EgnnDenoiser(species: 1, hiddenFeatures: 16, layerCount: 2, new Generator(1), layerOptions: EgnnDenoiser.EdmLayerOptions(2));
        var model = new EquivariantDiffusion(denoiser, NoiseSchedule.Polynomial(50));
        var adam = new SciKernels.Optim.Adam(denoiser.Parameters(), 5e-4);
        var types = model.OneHot(new int[13], 32);
        var gen = new Generator(2);
        var x = Tensor.FromDoubles(data.Positions.AsSpan(0, 32 * 39), [32, 13, 3]);
        double lossValue;
        using (TensorScope.Begin())
        {
            adam.ZeroGrad();
            var loss = model.Loss(x, types, gen);
            loss.Backward();
            adam.Step();
            lossValue = loss.Item();
        }
        Assert.True(double.IsFinite(lossValue) && lossValue > 0);
        double[] samples = model.Sample(4, new int[13], new Generator(3));
        var (relax, _) = Lj13.RelaxAndClassify(samples.AsSpan(0, 39));
        Assert.True(double.IsFinite(relax.Energy));
    }
}
