using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SciKernels.Potentials;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Potentials;

/// <summary>Langevin MD with EMT: the thermostat's temperature, the friction-free limit, determinism, the fixed centre of mass, the explosion guard.</summary>
public sealed class LangevinTests
{
    private static (double[] Positions, int[] Numbers, double[] Cell) Copper(int n)
    {
        const double a = 3.61;
        double[][] basis = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
        var pos = new List<double>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++)
                    foreach (var b in basis) pos.AddRange([(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a]);
        double l = n * a;
        return (pos.ToArray(), Enumerable.Repeat(29, pos.Count / 3).ToArray(), [l, 0, 0, 0, l, 0, 0, 0, l]);
    }

    private static readonly bool[] Periodic = [true, true, true];

    /// <summary>
    /// Cu, 108 atoms, 600 K, γ = 0.02/fs, 2 fs: after 4 ps of equilibration, the mean of the instantaneous
    /// temperature over 20 ps must be T (N − 1)/N — the centre of mass is held, so 3N − 3 degrees of freedom
    /// share the kinetic energy that ASE's temperature divides by 3N.
    /// </summary>
    /// <remarks>
    /// The bound, derived before running: canonically T_inst fluctuates by σ = T √(2 / (3N − 3)) = 0.079 T.
    /// The kinetic energy decorrelates with the thermostat (1/γ = 50 fs) and the lattice vibrations
    /// (≈ 100 fs), so its integrated autocorrelation time is at most τ ≈ 100 fs = 50 steps, and the mean of
    /// L = 10 000 steps has a standard error ≤ σ √(2τ/L) = 0.0079 T. Four of those (3.2 %) plus 1 % for the
    /// integrator's O(h²) temperature error at 2 fs give the 4 % bound; a fixed seed makes the run
    /// deterministic, and the block-averaged standard error, asserted below 1 %, checks the assumed τ on the
    /// run itself. A missing factor in the noise (√2, ½) moves the mean by ≥ 25 %.
    /// </remarks>
    [Fact]
    public void MeanTemperatureConvergesToTheTarget()
    {
        var (pos, numbers, cell) = Copper(3);
        const double t = 600;
        var gen = new Generator(2026);
        var md = new Langevin(new Emt(), numbers, pos, MolecularDynamics.MaxwellBoltzmann(numbers, t, gen), cell, Periodic, 2, t, 0.02, gen);
        md.Run(2000);
        const int Blocks = 20, PerBlock = 500;
        var means = new double[Blocks];
        for (int b = 0; b < Blocks; b++)
        {
            double s = 0;
            for (int k = 0; k < PerBlock; k++)
            {
                md.Run(1);
                s += md.Temperature;
            }
            means[b] = s / PerBlock;
        }
        double mean = means.Average();
        double se = Math.Sqrt(means.Sum(m => (m - mean) * (m - mean)) / (Blocks - 1) / Blocks);
        double expected = t * (numbers.Length - 1) / numbers.Length;
        Assert.True(se < 0.01 * t, $"block standard error {se:F2} K: the kinetic energy decorrelates more slowly than assumed");
        Assert.True(Math.Abs(mean - expected) < 0.04 * expected, $"mean temperature {mean:F2} K (± {se:F2} K), expected {expected:F2} K");
    }

    [Fact]
    public void WithoutFrictionItIsVelocityVerlet()
    {
        var (pos, numbers, cell) = Copper(2);
        var v = MolecularDynamics.MaxwellBoltzmann(numbers, 500, 4);
        var nve = new VelocityVerlet(new Emt(), numbers, pos, v, cell, Periodic, 1.5);
        var lgv = new Langevin(new Emt(), numbers, pos, v, cell, Periodic, 1.5, 500, 0, new Generator(1));
        nve.Run(50);
        lgv.Run(50);
        // The only differences are the centre-of-mass corrections (the momentum starts at zero: rounding only).
        for (int k = 0; k < pos.Length; k++)
        {
            Assert.True(Math.Abs(nve.Positions[k] - lgv.Positions[k]) < 1e-10, $"position {k}: {nve.Positions[k]:R} vs {lgv.Positions[k]:R}");
            Assert.True(Math.Abs(nve.Velocities[k] - lgv.Velocities[k]) < 1e-10, $"velocity {k}");
        }
        Assert.True(Math.Abs(nve.Positions[0] - pos[0]) > 1e-3, "the atoms moved");
    }

    [Fact]
    public void SameSeedSameBitsAndTheCentreOfMassStays()
    {
        var (pos, numbers, cell) = Copper(2);
        Langevin Run(ulong seed)
        {
            var gen = new Generator(seed);
            var md = new Langevin(new Emt(), numbers, pos, MolecularDynamics.MaxwellBoltzmann(numbers, 900, gen), cell, Periodic, 2, 900, 0.05, gen);
            md.Run(40);
            return md;
        }
        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(a.Positions, b.Positions);
        Assert.Equal(a.Velocities, b.Velocities);
        Assert.NotEqual(a.Positions, c.Positions);
        for (int d = 0; d < 3; d++)
        {
            double com0 = 0, com1 = 0, p = 0;
            for (int i = 0; i < numbers.Length; i++)
            {
                com0 += pos[3 * i + d];
                com1 += a.Positions[3 * i + d];
                p += a.Velocities[3 * i + d];
            }
            Assert.True(Math.Abs(com1 - com0) / numbers.Length < 1e-10, $"centre of mass moved along {d}");
            Assert.True(Math.Abs(p) / numbers.Length < 1e-12, $"net momentum along {d}: {p:R}");
        }
    }

    [Fact]
    public void ExplodingRunStopsWithAMessage()
    {
        var (pos, numbers, cell) = Copper(2);
        var gen = new Generator(3);
        // 200 000 K and 10 fs steps: atoms collide within a few steps.
        var md = new Langevin(new Emt(), numbers, pos, MolecularDynamics.MaxwellBoltzmann(numbers, 200_000, gen), cell, Periodic, 10, 200_000, 0.01, gen);
        var ex = Assert.Throws<InvalidOperationException>(() => md.Run(10_000));
        Assert.Contains("exploded at step", ex.Message);
        Assert.True(md.StepCount < 10_000);
    }

    /// <summary>
    /// ASE's own Langevin (Debian python3-ase) fed the same noise — ξ then η per step, replayed from our
    /// generator's stream — ends at the same positions and velocities: the same scheme, constants and
    /// centre-of-mass handling, up to rounding (a rattled, strained Cu–Au cell, 900 K, 20 steps of 2 fs) —
    /// except for a rigid translation: ASE 3.22.1's <c>Atoms.set_center_of_mass</c> adds (current − target)
    /// instead of (target − current), so its "fixed" centre of mass wanders by twice the step's drift, while
    /// ours stays put (its velocities, which remove the centre-of-mass velocity separately, are unaffected).
    /// </summary>
    [SkippableFact]
    public void MatchesAsesLangevinGivenTheSameNoise()
    {
        Skip.If(!File.Exists(AseEmtReference.Python), $"{AseEmtReference.Python} not found; the ASE check needs Debian's python3 with python3-ase.");
        var (pos, numbers, cell) = Copper(2);
        var rattle = new Generator(21);
        for (int k = 0; k < pos.Length; k++) pos[k] += 0.05 * rattle.NextNormal();
        for (int a = 0; a < numbers.Length; a += 5) numbers[a] = 79;
        cell[1] = 0.3; // triclinic
        const int Steps = 20;
        const double T = 900, Friction = 0.05, Dt = 2;
        var v = MolecularDynamics.MaxwellBoltzmann(numbers, T, 8);
        var md = new Langevin(new Emt(), numbers, pos, v, cell, Periodic, Dt, T, Friction, new Generator(99));
        md.Run(Steps);
        var noise = new double[Steps * 6 * numbers.Length];
        new Generator(99).FillNormal(noise); // the integrator's draws, in its order
        string dir = Path.Combine(Path.GetTempPath(), "scikernels-langevin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "in.json");
            File.WriteAllText(input, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["numbers"] = numbers, ["positions"] = pos, ["velocities"] = v, ["cell"] = cell, ["pbc"] = Periodic,
                ["timestep_fs"] = Dt, ["temperature_K"] = T, ["friction_per_fs"] = Friction, ["steps"] = Steps, ["noise"] = noise,
            }));
            var psi = new ProcessStartInfo(AseEmtReference.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(ScriptPath());
            psi.ArgumentList.Add(input);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(300_000), "ase_langevin.py timed out");
            Skip.If(p.ExitCode == 3, $"python3-ase is not installed ({stderr.Result.Trim()}).");
            Assert.True(p.ExitCode == 0, $"ase_langevin.py failed ({p.ExitCode}): {stderr.Result}");
            var ase = JsonDocument.Parse(stdout.Result).RootElement;
            var x = ase.GetProperty("positions").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var u = ase.GetProperty("velocities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.True(Math.Abs(md.Positions[0] - pos[0]) > 1e-3, "the atoms moved");
            // The rigid translation of ASE's centre-of-mass bug: the mean offset, the same for every atom.
            var offset = new double[3];
            for (int k = 0; k < x.Length; k++) offset[k % 3] += (x[k] - md.Positions[k]) / numbers.Length;
            for (int k = 0; k < x.Length; k++)
            {
                Assert.True(Math.Abs(x[k] - offset[k % 3] - md.Positions[k]) < 1e-9, $"position {k}: ASE {x[k]:R} − {offset[k % 3]:R}, ours {md.Positions[k]:R}");
                Assert.True(Math.Abs(u[k] - md.Velocities[k]) < 1e-9, $"velocity {k}: ASE {u[k]:R}, ours {md.Velocities[k]:R}");
            }
            Assert.True(Math.Abs(ase.GetProperty("energy").GetDouble() - md.Current.Energy) < 1e-8);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string ScriptPath([CallerFilePath] string thisFile = "")
    {
        string next = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "ase_langevin.py");
        if (File.Exists(next)) return next;
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "SciKernels.Tests", "Potentials", "ase_langevin.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("ase_langevin.py not found next to the tests.", next);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var (pos, numbers, cell) = Copper(1);
        var v = new double[pos.Length];
        Assert.Contains("temperature", Assert.Throws<ArgumentException>(() => new Langevin(new Emt(), numbers, pos, v, cell, Periodic, 1, -5, 0.01, new Generator(1))).Message);
        Assert.Contains("friction", Assert.Throws<ArgumentException>(() => new Langevin(new Emt(), numbers, pos, v, cell, Periodic, 1, 300, double.NaN, new Generator(1))).Message);
        Assert.Contains("time step", Assert.Throws<ArgumentException>(() => new Langevin(new Emt(), numbers, pos, v, cell, Periodic, 0, 300, 0.01, new Generator(1))).Message);
    }
}
