using SciKernels.Graphs;

namespace SciKernels.Potentials;

/// <summary>
/// A learned interatomic potential: per-atom energies of a batch of structures, as a differentiable
/// function of the radius graph's edge vectors — forces and stress come from autodiff through
/// <see cref="Graph.EdgeVectors"/> with respect to the graph's positions and cell, and training on
/// forces differentiates the model twice.
/// </summary>
/// <remarks>
/// Implementations are <see cref="NN.Module"/>s (parameters, <c>To(Device)</c>, checkpoints). The
/// model maps every atom's species to an index into <see cref="AtomicNumbers"/>; the trainer fits the
/// per-species energy shift and the scale from the training data once, before the first step, and
/// hands them over with <see cref="SetEnergyReference"/> (NequIP's per-species shift and scale).
/// </remarks>
public interface IPotentialModel
{
    /// <summary>Radius (Å) of the graph the model reads; edges longer than it contribute nothing.</summary>
    double Cutoff { get; }

    /// <summary>The atomic numbers the model knows, in the order of the species indices.</summary>
    IReadOnlyList<int> AtomicNumbers { get; }

    /// <summary>
    /// Per-atom energies (eV), [N], in the dtype of the graph's positions: E_i = scale·ẽ_i + shift[species_i].
    /// </summary>
    /// <param name="graph">A (batched) radius graph with positions — and a cell for periodic structures —
    /// built with a cutoff of at least <see cref="Cutoff"/>.</param>
    /// <param name="species">[N] int64 indices into <see cref="AtomicNumbers"/>.</param>
    Tensor AtomicEnergies(Graph graph, Tensor species);

    /// <summary>Sets the per-species energy shift (eV, one per entry of <see cref="AtomicNumbers"/>) and the energy scale (eV).</summary>
    void SetEnergyReference(ReadOnlySpan<double> shiftPerSpecies, double scale);
}
