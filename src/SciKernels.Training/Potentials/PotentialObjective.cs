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
/// <para>Data-parallel (<see cref="IGlobalBatchLoss"/>): the force term is a mean over the batch's atoms and the stress
/// term over its structures with a stress, so a shard's loss weighted by its share of the structures would not sum to
/// the batch's loss. Told the global batch, a shard's forward returns w_E·Σ(ΔE/atom)²/B + w_F·ΣΔF²/(3·atoms) +
/// w_S·Σ Δσ²/(6·stressed structures) over its own structures with the global batch's counts: the parts sum over
/// the ranks to the one-process loss.</para>
/// </remarks>
public sealed class PotentialObjective : Module, IGlobalBatchLoss
{
    private readonly AtomicStructure[] structures;
    private readonly bool forces, stress;
    private PotentialPrediction? pending;
    private BatchCounts? announced;

    // The normalisers of the three terms: structures, atoms and structures with a reference stress.
    private readonly record struct BatchCounts(int Structures, long Atoms, int Stressed);

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
        var ids = Ids(input);
        var counts = announced;
        announced = null; // for this forward pass only
        return LossOfBatch(ids, createGraph: true, counts);
    }

    /// <summary>
    /// Data-parallel training: the next <see cref="Forward"/> (of this rank's shard) returns the shard's part of the loss of
    /// the global batch whose structure indices are <paramref name="inputs"/> ([B, 1]), so the parts sum to its loss.
    /// </summary>
    /// <param name="inputs">Structure indices of the whole global batch, float64 [B, 1].</param>
    public void AnnounceGlobalBatch(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long atoms = 0;
        int stressed = 0;
        var ids = Ids(inputs);
        foreach (int i in ids)
        {
            atoms += structures[i].NumAtoms;
            if (structures[i].Stress is not null) stressed++;
        }
        announced = new BatchCounts(ids.Length, atoms, stressed);
    }

    private int[] Ids(Tensor input)
    {
        if (input.Rank != 2 || input.Size(1) != 1)
            throw new TensorException("PotentialObjective", $"input must be structure indices [B, 1], got {Tensor.ShapeString(input.Shape)}");
        var ids = input.ToArray<double>().Select(v => (int)v).ToArray();
        foreach (int i in ids)
            if ((uint)i >= (uint)structures.Length)
                throw new TensorException("PotentialObjective", $"structure index {i} is outside the {structures.Length} training structures");
        return ids;
    }

    /// <summary>The weighted loss of the structures <paramref name="ids"/> (without <paramref name="createGraph"/> it is not differentiable to the parameters through the forces).</summary>
    /// <param name="ids">Structure indices.</param>
    /// <param name="createGraph">Keep the loss differentiable to the parameters (training).</param>
    public Tensor Loss(int[] ids, bool createGraph) => LossOfBatch(ids, createGraph, null);

    // With counts: the sums of squares over these structures divided by the global batch's counts (a shard's part).
    private Tensor LossOfBatch(int[] ids, bool createGraph, BatchCounts? counts)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Tensor Term(Tensor prediction, Tensor reference, double weight, long values) => counts is null
            ? Losses.Mse(prediction, reference).Mul(weight)
            : Losses.Mse(prediction, reference, Reduction.Sum).Mul(weight / values);
        var dtype = Evaluator.DType;
        // The previous step's backward has run by now: free its batch graph (its lazily built index
        // tensors are kept out of the step's TensorScope, so the scope alone would not free them).
        ReleaseGraphs();
        var p = pending = Evaluator.Predict(ids, forces, stress, createGraph);
        var atoms = ids.Select(i => (double)structures[i].NumAtoms).ToArray();
        var natoms = Tensor.FromDoubles(atoms, [ids.Length], dtype);
        var refE = Tensor.FromDoubles(ids.Select(i => structures[i].Energy!.Value / structures[i].NumAtoms).ToArray(), [ids.Length], dtype);
        var loss = Term(p.Energy.Div(natoms), refE, Weights.Energy, counts?.Structures ?? 0);
        if (forces)
        {
            var refF = Tensor.FromDoubles(ids.SelectMany(i => structures[i].Forces!).ToArray(), p.Forces!.Shape, dtype);
            loss = loss.Add(Term(p.Forces!, refF, Weights.Forces, 3 * (counts?.Atoms ?? 0)));
        }
        if (stress)
        {
            var rows = Enumerable.Range(0, ids.Length).Where(g => structures[ids[g]].Stress is not null).Select(g => (long)g).ToArray();
            if (rows.Length > 0)
            {
                var refS = Tensor.FromDoubles(rows.SelectMany(g => structures[ids[g]].Stress!).ToArray(), [rows.Length, 6], dtype);
                var predS = p.Stress!.IndexSelect(0, Tensor.FromSpan<long>(rows, [rows.Length]));
                loss = loss.Add(Term(predS, refS, Weights.Stress, 6L * (counts?.Stressed ?? 0)));
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
