using SciKernels.NN;
using SciKernels.Potentials;

namespace SciKernels.Training;

/// <summary>Weights of the three terms of the potential loss.</summary>
/// <param name="Energy">w_E, on the MSE of the energy per atom ((eV/atom)²).</param>
/// <param name="Forces">w_F, on the MSE of the force components ((eV/Å)²).</param>
/// <param name="Stress">w_S, on the MSE of the Voigt stress components ((eV/Å³)²), over structures with a reference stress.</param>
public sealed record PotentialLossWeights(double Energy = 1, double Forces = 1, double Stress = 1)
{
    /// <summary>Checks that the weights are finite, non-negative and not all zero.</summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or all are zero.</exception>
    public void Validate()
    {
        foreach (var (name, w) in new[] { ("energy", Energy), ("force", Forces), ("stress", Stress) })
            if (!double.IsFinite(w) || w < 0) throw new ArgumentException($"PotentialLossWeights: the {name} weight must be finite and ≥ 0, got {w}");
        if (Energy == 0 && Forces == 0 && Stress == 0) throw new ArgumentException("PotentialLossWeights: all weights are zero; nothing to train on");
    }
}

/// <summary>
/// The training objective of an <see cref="IPotentialModel"/> as a <see cref="Module"/> that
/// <see cref="Trainer"/> can drive: a row of the input is a structure index (float64 [B, 1]) and the
/// output is the loss of those structures,
/// w_E·MSE(E/atom) + w_F·MSE(F) + w_S·MSE(σ) — so the trainer's batching, shuffling, Adam steps,
/// callbacks, progress and per-step <see cref="TensorScope"/> serve potentials too. Pass
/// <see cref="LossOf"/> as the trainer's loss and <see cref="Indices"/> as both its inputs and targets.
/// </summary>
/// <remarks>
/// The structures' radius graphs are built once (<see cref="PotentialEvaluator"/>); each step collates
/// its batch's graphs, differentiates the energy once with create-graph for forces and stress, and the
/// trainer's backward differentiates the loss a second time, to the parameters. The model is a child
/// module: disposing the objective disposes the model; dispose <see cref="Evaluator"/> (the graphs)
/// when training is over.
/// </remarks>
public sealed class PotentialObjective : Module
{
    private readonly AtomicStructure[] structures;
    private readonly bool forces, stress;
    private PotentialPrediction? pending;

    /// <summary>Prepares the objective over <paramref name="data"/>.</summary>
    /// <param name="model">The potential (a <see cref="Module"/>); registered as the child <c>model</c>.</param>
    /// <param name="data">Labelled structures: all need an energy; all need forces when w_F &gt; 0.</param>
    /// <param name="weights">The loss weights.</param>
    /// <exception cref="ArgumentException">A label the weights need is missing (the message names the structure), or the model is not a module.</exception>
    public PotentialObjective(IPotentialModel model, IReadOnlyList<AtomicStructure> data, PotentialLossWeights weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(weights);
        weights.Validate();
        if (model is not Module module) throw new ArgumentException($"PotentialObjective: {model.GetType().Name} is not a Module (IPotentialModel implementations must be)", nameof(model));
        if (data.Count == 0) throw new ArgumentException("PotentialObjective: no structures to train on", nameof(data));
        for (int k = 0; k < data.Count; k++)
        {
            if (data[k].Energy is null) throw new ArgumentException($"PotentialObjective: structure {k} has no reference energy", nameof(data));
            if (weights.Forces > 0 && data[k].Forces is null)
                throw new ArgumentException($"PotentialObjective: structure {k} has no reference forces (the force weight is {weights.Forces}; set it to 0 to train on energies only)", nameof(data));
        }
        Model = model;
        Weights = weights;
        structures = data.ToArray();
        forces = weights.Forces > 0;
        stress = weights.Stress > 0 && structures.Any(s => s.Stress is not null);
        RegisterModule("model", module);
        Evaluator = new PotentialEvaluator(model, structures);
    }

    /// <summary>The potential being trained.</summary>
    public IPotentialModel Model { get; }

    /// <summary>The loss weights.</summary>
    public PotentialLossWeights Weights { get; }

    /// <summary>The prepared structures (graphs built once).</summary>
    public PotentialEvaluator Evaluator { get; }

    /// <summary>The trainer's loss: the objective's output is already the loss.</summary>
    public static Func<Tensor, Tensor, Tensor> LossOf { get; } = (loss, _) => loss;

    /// <summary>The structure indices 0…count−1 as a float64 [count, 1] tensor: the trainer's inputs (and dummy targets).</summary>
    /// <param name="count">Number of structures.</param>
    public static Tensor Indices(int count) => Tensor.FromDoubles(Enumerable.Range(0, count).Select(i => (double)i).ToArray(), [count, 1], DType.Float64);

    /// <summary>The loss of the structures whose indices are the rows of <paramref name="input"/> ([B, 1]), differentiable to the parameters.</summary>
    /// <param name="input">Structure indices as float64 [B, 1].</param>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Size(1) != 1)
            throw new TensorException("PotentialObjective", $"input must be structure indices [B, 1], got {Tensor.ShapeString(input.Shape)}");
        var ids = input.ToArray<double>().Select(v => (int)v).ToArray();
        return Loss(ids, createGraph: true);
    }

    /// <summary>The weighted loss of the structures <paramref name="ids"/> (without <paramref name="createGraph"/> it is not differentiable to the parameters through the forces).</summary>
    /// <param name="ids">Structure indices.</param>
    /// <param name="createGraph">Keep the loss differentiable to the parameters (training).</param>
    public Tensor Loss(int[] ids, bool createGraph)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var dtype = Evaluator.DType;
        // The previous step's backward has run by now: free its batch graph (its lazily built index
        // tensors are kept out of the step's TensorScope, so the scope alone would not free them).
        ReleaseGraphs();
        var p = pending = Evaluator.Predict(ids, forces, stress, createGraph);
        var atoms = ids.Select(i => (double)structures[i].NumAtoms).ToArray();
        var natoms = Tensor.FromDoubles(atoms, [ids.Length], dtype);
        var refE = Tensor.FromDoubles(ids.Select(i => structures[i].Energy!.Value / structures[i].NumAtoms).ToArray(), [ids.Length], dtype);
        var loss = Losses.Mse(p.Energy.Div(natoms), refE).Mul(Weights.Energy);
        if (forces)
        {
            var refF = Tensor.FromDoubles(ids.SelectMany(i => structures[i].Forces!).ToArray(), p.Forces!.Shape, dtype);
            loss = loss.Add(Losses.Mse(p.Forces!, refF).Mul(Weights.Forces));
        }
        if (stress)
        {
            var rows = Enumerable.Range(0, ids.Length).Where(g => structures[ids[g]].Stress is not null).Select(g => (long)g).ToArray();
            if (rows.Length > 0)
            {
                var refS = Tensor.FromDoubles(rows.SelectMany(g => structures[ids[g]].Stress!).ToArray(), [rows.Length, 6], dtype);
                var predS = p.Stress!.IndexSelect(0, Tensor.FromSpan<long>(rows, [rows.Length]));
                loss = loss.Add(Losses.Mse(predS, refS).Mul(Weights.Stress));
            }
        }
        return loss;
    }

    /// <summary>
    /// Frees the batch graph of the last <see cref="Loss"/> call (each call frees the one before, so a
    /// loss must be back-propagated before the next call). <see cref="Releaser"/> calls it after every epoch.
    /// </summary>
    public void ReleaseGraphs()
    {
        pending?.Dispose();
        pending = null;
    }

    /// <summary>A trainer callback that frees the last batch graph after every epoch and at the end (memory flat at epoch ends).</summary>
    public TrainingCallback Releaser => new ReleaseCallback(this);

    private sealed class ReleaseCallback(PotentialObjective objective) : TrainingCallback
    {
        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics) => objective.ReleaseGraphs();

        public override void OnTrainEnd(TrainingContext context) => objective.ReleaseGraphs();
    }
}
