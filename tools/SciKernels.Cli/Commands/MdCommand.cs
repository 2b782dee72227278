using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SciKernels.Data;
using SciKernels.Potentials;
using SciKernels.Random;

namespace SciKernels.Cli;

/// <summary><c>scikernels md</c>: NVE or Langevin MD of an extended-XYZ structure; trajectory, energy drift, throughput and g(r).</summary>
internal sealed class MdCommand : ICommand
{
    private readonly Argument<string> input = new("STRUCTURE.extxyz") { Description = "extended-XYZ file with the starting structure" };
    private readonly Option<string> potential = Opt.Text("--potential", "the potential: emt or a MODEL.safetensors written by train potential", "emt")!;
    private readonly Option<string> ensemble = Opt.Choice("--ensemble", "nve", "the ensemble", "nve", "langevin");
    private readonly Option<double?> temperature = Opt.OptionalDouble("--temperature", "K: Langevin's target (required there); NVE: Maxwell–Boltzmann starting velocities", Opt.NonNegative);
    private readonly Option<double> friction = Opt.Double("--friction", 0.01, "Langevin friction in 1/fs (ASE: friction=f/units.fs)", Opt.NonNegative);
    private readonly Option<double> timestep = Opt.Double("--timestep-fs", 1, "time step (fs)", ("in (0, 20]", v => v is > 0 and <= 20));
    private readonly Option<int> steps = Opt.Int("--steps", 1000, "MD steps", 1, 100_000_000);
    private readonly Option<string?> output = Opt.Text("--out", "trajectory, extended XYZ (required)");
    private readonly Option<int> every = Opt.Int("--every", 10, "write a frame (and sample g(r)) every k steps", 1);
    private readonly Option<int> seed = Opt.Int("--seed", 0, "random seed (velocities, Langevin noise)", 0);
    private readonly Option<int> frame = Opt.Int("--frame", 0, "frame of STRUCTURE.extxyz to start from", 0);
    private readonly Option<string?> reference = Opt.Text("--reference", "also run this potential (emt) and plot its g(r) for comparison");
    private readonly Option<double> rdfMax = Opt.Double("--rdf-max", 6, "largest r of g(r) (Å)", ("in (0, 30]", v => v is > 0 and <= 30));

    public string[] Path => ["md"];

    public string Summary => "molecular dynamics (NVE or Langevin) of an extended-XYZ structure: trajectory, energy drift, g(r)";

    public string Notes => """
        Runs --steps steps from frame --frame of STRUCTURE.extxyz and writes every --every-th frame (step 0
        included) to --out as ASE writes atoms with a calculator (energy=, stress=, forces) plus a momenta
        column and step, time_fs and temperature_K. Frames are streamed to OUT.part and renamed to OUT when
        the run ends; a run that explodes (non-finite energy, atoms on top of each other, NVE energy moving
        more than 1 eV/atom, a Langevin potential energy more than 2 eV/atom) stops with a message and leaves
        the frames so far in OUT.part. Starting velocities: Maxwell–Boltzmann at --temperature (seeded, zero
        total momentum); otherwise the file's momenta column; otherwise zero. Langevin is ASE's
        ase.md.langevin.Langevin (fixcm) at --temperature with --friction per fs. Reported: energy drift per
        atom (NVE), mean temperature, throughput (atom-steps/s of the MD loop). With a cell, g(r) over the
        frames after the first fifth of the run is plotted to OUT-without-extension.rdf.png; --reference emt
        runs that potential the same way and plots its g(r) too.
        """;

    public IEnumerable<Symbol> Symbols => [input, potential, ensemble, temperature, friction, timestep, steps, output, every, seed, frame, reference, rdfMax];

    /// <summary>Everything a run needs, checked.</summary>
    private sealed record Settings(bool Langevin, double? TemperatureK, double Friction, double TimestepFs, int Steps, int Every, ulong Seed, double RdfMax);

    /// <summary>What a run measured.</summary>
    private sealed record Outcome(double E0, double EFinal, double MaxDeviation, double MeanTemperature, double FinalTemperature, double Seconds, int Frames, RadialDistribution? Rdf);

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        string file = p.GetValue(input)!;
        if (!File.Exists(file)) throw new OptionException($"input file {file} does not exist");
        string target = p.GetValue(output) ?? throw new OptionException("--out TRAJ.extxyz is required");
        PotentialChoice.CheckOutputFile(target, "--out", file);
        string potentialName = p.GetValue(potential)!;
        var calculator = PotentialChoice.Resolve(potentialName, "--potential");
        string? referenceName = p.GetValue(reference);
        var referenceCalculator = referenceName is null ? null : PotentialChoice.Resolve(referenceName, "--reference");
        bool langevin = p.GetValue(ensemble) == "langevin";
        double? t = p.GetValue(temperature);
        if (langevin && t is null) throw new OptionException("--ensemble langevin needs --temperature K");
        var settings = new Settings(langevin, t, p.GetValue(friction), p.GetValue(timestep), p.GetValue(steps), p.GetValue(every),
            (ulong)p.GetValue(seed), p.GetValue(rdfMax));
        int frameIndex = p.GetValue(frame);
        string png = System.IO.Path.ChangeExtension(target, null) + ".rdf.png";
        return new Job(() =>
        {
            XyzFrame start;
            try
            {
                start = ExtendedXyz.ReadFrame(file, frameIndex);
            }
            catch (FormatException e)
            {
                throw new OptionException(e.Message); // names the file and line: a user error (exit 2)
            }
            var numbers = PotentialChoice.Numbers(start, file, frameIndex);
            var v0 = StartingVelocities(start, numbers, settings, file, frameIndex);
            string part = target + ".part";
            Outcome main;
            IAtomsCalculator calc = calculator();
            try
            {
                main = Simulate(calc, start, numbers, v0, settings, part, stderr, file, frameIndex);
            }
            catch (InvalidOperationException e)
            {
                stderr.WriteLine($"scikernels md: {e.Message} The frames written so far are in {part}.");
                return 1;
            }
            File.Move(part, target, overwrite: true);
            Outcome? refRun = null;
            string? refLabel = null;
            if (referenceCalculator is not null)
            {
                if (referenceName!.Equals(potentialName, StringComparison.OrdinalIgnoreCase))
                {
                    refRun = main; // the same potential, seed and settings give the same run bit for bit
                }
                else
                {
                    try
                    {
                        refRun = Simulate(referenceCalculator(), start, numbers, v0, settings, null, stderr, file, frameIndex);
                    }
                    catch (InvalidOperationException e)
                    {
                        stderr.WriteLine($"scikernels md: the reference run: {e.Message}");
                        return 1;
                    }
                }
                refLabel = $"{referenceCalculator().Name} (reference)";
            }
            Report(stdout, calc.Name, start.NumAtoms, settings, main, target);
            if (main.Rdf is { Frames: > 0 } rdf)
            {
                var series = new List<(string, double[], double[])> { (calc.Name, rdf.Radii, rdf.G) };
                if (refRun?.Rdf is { } rr)
                {
                    series.Add((refLabel!, rr.Radii, rr.G));
                    double maxDiff = rdf.G.Zip(rr.G, (a, b) => Math.Abs(a - b)).Max();
                    stdout.WriteLine(Inv($"  g(r) vs {refLabel}: max |Δg| = {maxDiff:F4} over {rdf.Bins} bins of {rdf.BinWidth:F3} Å"));
                }
                MdPlots.RadialDistribution(png, series,
                    Inv($"g(r): {start.NumAtoms} atoms, {(settings.Langevin ? $"Langevin {settings.TemperatureK:R} K" : "NVE")}, {settings.Steps} × {settings.TimestepFs:R} fs"));
                int peak = Array.IndexOf(rdf.G, rdf.G.Max());
                stdout.WriteLine(Inv($"  g(r) from {rdf.Frames} frames (first peak at {rdf.Radii[peak]:F3} Å) -> {png}"));
            }
            else
            {
                stdout.WriteLine("  g(r): not plotted (the structure has no cell, or no frame after the first fifth of the run)");
            }
            return 0;
        });
    }

    private static double[] StartingVelocities(XyzFrame f, int[] numbers, Settings s, string file, int index)
    {
        if (s.TemperatureK is { } t) return MolecularDynamics.MaxwellBoltzmann(numbers, t, new Generator(s.Seed));
        var momenta = f.Properties.FirstOrDefault(q => q.Name == "momenta" && q.Columns == 3 && q.Type == XyzPropertyType.Real);
        if (momenta is null) return new double[3 * numbers.Length];
        var p = momenta.ToDoubles();
        var m = MolecularDynamics.Masses(numbers);
        for (int k = 0; k < p.Length; k++)
        {
            if (!double.IsFinite(p[k])) throw new OptionException($"{file}: frame {index}: the momentum of atom {k / 3} is not finite");
            p[k] /= m[k / 3];
        }
        return p;
    }

    /// <summary>One run; streams frames to <paramref name="part"/> when given; throws InvalidOperationException when it explodes.</summary>
    private static Outcome Simulate(IAtomsCalculator calc, XyzFrame start, int[] numbers, double[] v0, Settings s, string? part, TextWriter stderr, string file, int index)
    {
        double[] cell = start.Cell ?? [];
        MolecularDynamics md;
        var gen = new Generator(s.Seed + 1); // the noise: a stream apart from the velocities'
        try
        {
            md = s.Langevin
                ? new Langevin(calc, numbers, start.Positions, v0, cell, start.Pbc, s.TimestepFs, s.TemperatureK!.Value, s.Friction, gen)
                : new VelocityVerlet(calc, numbers, start.Positions, v0, cell, start.Pbc, s.TimestepFs);
        }
        catch (ArgumentException e)
        {
            throw new OptionException($"{file}: frame {index}: {e.Message}");
        }
        var rdf = cell.Length == 9 ? new RadialDistribution(s.RdfMax, (int)Math.Round(s.RdfMax * 20)) : null;
        double e0 = md.TotalEnergy, maxDev = 0, sumT = 0;
        int frames = 0;
        var clock = new Stopwatch();
        using var writer = part is null ? null : new StreamWriter(part, false, new UTF8Encoding(false), 1 << 16);
        void Sample()
        {
            if (writer is not null)
            {
                WriteFrame(writer, md, numbers, cell, start.Pbc);
                frames++;
            }
            if (rdf is not null && md.StepCount >= s.Steps / 5) rdf.Add(md.Positions, cell, start.Pbc);
        }
        Sample();
        int reportEvery = Math.Max(1, s.Steps / 10);
        for (int step = 1; step <= s.Steps; step++)
        {
            clock.Start();
            md.Run(1);
            clock.Stop();
            maxDev = Math.Max(maxDev, Math.Abs(md.TotalEnergy - e0));
            sumT += md.Temperature;
            if (step % s.Every == 0 || step == s.Steps) Sample();
            if (step % reportEvery == 0)
                stderr.WriteLine(Inv($"  step {step}/{s.Steps}: T = {md.Temperature:F1} K, E - E0 = {(md.TotalEnergy - e0) / md.NumAtoms * 1e3:F4} meV/atom"));
        }
        return new Outcome(e0, md.TotalEnergy, maxDev, sumT / s.Steps, md.Temperature, clock.Elapsed.TotalSeconds, frames, rdf);
    }

    private static void WriteFrame(StreamWriter w, MolecularDynamics md, int[] numbers, double[] cell, bool[] pbc)
    {
        KeyValuePair<string, string>[] info =
        [
            new("step", md.StepCount.ToString(CultureInfo.InvariantCulture)),
            new("time_fs", md.TimeFs.ToString("R", CultureInfo.InvariantCulture)),
            new("temperature_K", md.Temperature.ToString("R", CultureInfo.InvariantCulture)),
        ];
        var f = PotentialFrames.FromResult(numbers, md.Positions, cell, pbc, md.Current, info);
        var m = MolecularDynamics.Masses(numbers);
        var momenta = new string[md.Velocities.Length];
        for (int k = 0; k < momenta.Length; k++) momenta[k] = (m[k / 3] * md.Velocities[k]).ToString("R", CultureInfo.InvariantCulture);
        var withMomenta = new XyzFrame(f.Species, f.Positions, f.Cell, f.Pbc, f.Info, [.. f.Properties, new XyzProperty("momenta", XyzPropertyType.Real, 3, momenta)]);
        ExtendedXyz.WriteFrame(w, withMomenta);
        w.Flush(); // a crash or an explosion keeps every frame written so far
    }

    private static void Report(TextWriter o, string name, int atoms, Settings s, Outcome r, string target)
    {
        o.WriteLine(Inv($"md: {atoms} atoms, {name}, {(s.Langevin ? $"Langevin {s.TemperatureK:R} K, friction {s.Friction:R}/fs" : "NVE")}, {s.Steps} steps of {s.TimestepFs:R} fs"));
        o.WriteLine(Inv($"  throughput: {(double)atoms * s.Steps / r.Seconds:F0} atom-steps/s ({r.Seconds:F2} s in the MD loop, {Environment.ProcessorCount} threads)"));
        o.WriteLine(Inv($"  temperature: mean {r.MeanTemperature:F1} K, final {r.FinalTemperature:F1} K"));
        if (!s.Langevin)
            o.WriteLine(Inv($"  energy drift: final (E - E0)/N = {(r.EFinal - r.E0) / atoms * 1e3:F4} meV/atom, max |E - E0|/N = {r.MaxDeviation / atoms * 1e3:F4} meV/atom"));
        o.WriteLine(Inv($"  trajectory: {r.Frames} frames -> {target}"));
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
