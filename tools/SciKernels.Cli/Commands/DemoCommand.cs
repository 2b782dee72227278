using System.CommandLine;

namespace SciKernels.Cli;

/// <summary>
/// <c>scikernels demo</c>: the main job — a small Burgers FNO trained on the CPU in about two
/// minutes on 2 cores; prints its test error and where the plots are.
/// </summary>
internal sealed class DemoCommand : ICommand
{
    private readonly Option<int> epochs = Opt.Int("--epochs", 40, "training epochs", 1);
    private readonly Option<string?> outDir = Opt.Text("--out", "output folder", System.IO.Path.Combine("runs", "demo"));

    public string[] Path => ["demo"];

    public string Summary => "main job: a small Burgers FNO on the CPU (~2 min), prints its error and plots";

    public string Notes => "Writes DIR/model.safetensors, DIR/loss_curves.png, DIR/predictions.png, DIR/metrics.csv and DIR/results.json.";

    public IEnumerable<Symbol> Symbols => [epochs, outDir];

    public Job Bind(ParseResult p, TextWriter stdout, TextWriter stderr)
    {
        var s = new FnoRunSettings(
            Problem: "burgers", Resolution: 256, NTrain: 500, NTest: 100, Epochs: p.GetValue(epochs),
            Width: 32, Modes: 16, Batch: 20, LearningRate: 2e-3, WeightDecay: 1e-4, Schedule: "cosine", Seed: 0,
            Device: "cpu", OutDir: OutputFolder.Validate(p.GetValue(outDir)!),
            DataDir: System.IO.Path.Combine(".cache", "data"), Json: false);
        return new Job(() =>
        {
            stdout.WriteLine("SciKernels demo: Fourier Neural Operator learning the Burgers solution operator u0 ↦ u(·,1) (ν = 0.1) on the CPU");
            return FnoExperiment.Run(s, stdout, stderr);
        }, s.OutDir);
    }
}
