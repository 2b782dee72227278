using SciKernels.Autograd;
using SciKernels.Graphs;
using SciKernels.NN;

namespace SciKernels.Potentials;

/// <summary>
/// Energies, forces and stresses of a batch of structures from an <see cref="IPotentialModel"/>, as tensors
/// that stay differentiable with respect to the model's parameters (training on forces and stress).
/// </summary>
public sealed class PotentialPrediction : IDisposable
{
    private readonly Graph batch;

    internal PotentialPrediction(Tensor energy, Tensor atomicEnergies, Tensor? forces, Tensor? stress, Graph graph, Graph batch)
    {
        Energy = energy;
        AtomicEnergies = atomicEnergies;
        Forces = forces;
        Stress = stress;
        Graph = graph;
        this.batch = batch;
    }

    /// <summary>Energy per structure (eV), [G].</summary>
    public Tensor Energy { get; }

    /// <summary>Energy per atom (eV), [N] over the batch's atoms in structure order.</summary>
    public Tensor AtomicEnergies { get; }

    /// <summary>Forces −∂E/∂x (eV/Å), [N, 3], or null when not asked for.</summary>
    public Tensor? Forces { get; }

    /// <summary>Stress (1/V) ∂E/∂ε (eV/Å³), Voigt [G, 6], or null when not asked for (zero rows for structures without a cell).</summary>
    public Tensor? Stress { get; }

    /// <summary>The batched graph the model read; backward passes through these results read its index tensors.</summary>
    public Graph Graph { get; }

    /// <summary>Disposes the batch graphs' index tensors (after any backward pass through the results).</summary>
    public void Dispose()
    {
        Graph.Dispose();
        batch.Dispose();
    }
}

/// <summary>Energy, forces and stress of one structure on the host.</summary>
/// <param name="Energy">Energy (eV).</param>
/// <param name="AtomicEnergies">Energy per atom (eV), [N].</param>
/// <param name="Forces">Forces (eV/Å), [N·3].</param>
/// <param name="Stress">Stress (eV/Å³), Voigt [6], or null without a cell.</param>
public sealed record PotentialResult(double Energy, double[] AtomicEnergies, double[] Forces, double[]? Stress);

/// <summary>
/// Evaluates an <see cref="IPotentialModel"/> on a fixed list of structures: the radius graph of each
/// structure is built once (<see cref="NeighborList.RadiusGraph"/> with the model's cutoff), batches are
/// collated into one <see cref="Graph"/> (<see cref="GraphBatch.Collate"/>), energies are segment sums of
/// the atomic energies by <see cref="Graph.NodeGraph"/>, forces are −∂E/∂x and the stress is (1/V) ∂E/∂ε
/// for a symmetric strain ε applied to positions and cell (x′ = x(I + ε), cell′ = cell(I + ε)) — ASE's
/// sign and units, Voigt order xx yy zz yz xz xy.
/// </summary>
/// <remarks>
/// Build it outside any <see cref="TensorScope"/>: the per-structure graphs live as long as the evaluator
/// (dispose it to free them). Open structures (no cell) are batched with a placeholder identity cell and
/// no periodic axis — no image shifts, so the cell plays no part — and get no stress. Positions are not
/// moved by the strain because ε = 0; only its gradient is used.
/// </remarks>
public sealed class PotentialEvaluator : IDisposable
{
    // Voigt order xx yy zz yz xz xy as flat indices of a 3×3 matrix.
    private static readonly long[] VoigtIndex = [0, 4, 8, 5, 2, 1];

    private readonly Entry[] entries;
    private readonly Device device;
    private bool disposed;

    private sealed record Entry(Graph Graph, long[] Species, double[] Positions, double Volume, bool HasCell);

    /// <summary>Builds the radius graph of every structure.</summary>
    /// <param name="model">The potential; its species list maps atomic numbers to species indices.</param>
    /// <param name="structures">The structures (labels are not read).</param>
    /// <exception cref="ArgumentException">A structure holds an element the model does not know, or its cell is unusable (the message names the structure).</exception>
    public PotentialEvaluator(IPotentialModel model, IReadOnlyList<AtomicStructure> structures)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(structures);
        Model = model;
        (DType, device) = ParameterKind(model);
        var index = new Dictionary<int, int>();
        for (int s = 0; s < model.AtomicNumbers.Count; s++) index[model.AtomicNumbers[s]] = s;
        entries = new Entry[structures.Count];
        for (int k = 0; k < structures.Count; k++)
        {
            var st = structures[k] ?? throw new ArgumentException($"PotentialEvaluator: structure {k} is null", nameof(structures));
            var species = new long[st.NumAtoms];
            for (int a = 0; a < species.Length; a++)
            {
                if (!index.TryGetValue(st.Numbers[a], out int sp))
                    throw new ArgumentException($"PotentialEvaluator: structure {k}, atom {a} is {Elements.Symbol(st.Numbers[a])} (Z = {st.Numbers[a]}), which the model does not know; it knows {string.Join(", ", model.AtomicNumbers.Select(Elements.Symbol))}", nameof(structures));
                species[a] = sp;
            }
            bool hasCell = st.Cell is not null;
            var cellValues = st.Cell ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
            var pos = Tensor.FromDoubles(st.Positions, [st.NumAtoms, 3], DType, device);
            var cell = Tensor.FromDoubles(cellValues, [3, 3], DType, device);
            Graph g;
            try
            {
                g = NeighborList.RadiusGraph(pos, model.Cutoff, cell, hasCell ? st.Pbc : [false, false, false]);
            }
            catch (TensorException e)
            {
                throw new ArgumentException($"PotentialEvaluator: structure {k}: {e.Message}", nameof(structures), e);
            }
            entries[k] = new Entry(g, species, st.Positions, hasCell ? st.Volume : double.NaN, hasCell);
        }
    }

    /// <summary>The model.</summary>
    public IPotentialModel Model { get; }

    /// <summary>The dtype the structures are evaluated in (that of the model's parameters).</summary>
    public DType DType { get; }

    /// <summary>Number of structures.</summary>
    public int Count => entries.Length;

    /// <summary>Number of atoms of structure <paramref name="k"/>.</summary>
    /// <param name="k">Structure index.</param>
    public int NumAtoms(int k) => entries[k].Species.Length;

    /// <summary>Number of directed edges (neighbour pairs) of structure <paramref name="k"/>'s radius graph.</summary>
    /// <param name="k">Structure index.</param>
    public int NumEdges(int k) => entries[k].Graph.NumEdges;

    /// <summary>
    /// The shortest edge of structure <paramref name="k"/>'s radius graph (Å), or +∞ without edges —
    /// the closest approach of two atoms within the cutoff.
    /// </summary>
    /// <param name="k">Structure index.</param>
    public double MinDistance(int k)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var g = entries[k].Graph;
        return g.NumEdges == 0 ? double.PositiveInfinity : g.EdgeLengths().ToArray<double>().Min();
    }

    /// <summary>
    /// Energies (and forces and stress when asked for) of the structures <paramref name="which"/>,
    /// batched into one graph. With <paramref name="createGraph"/> the forces and stress are
    /// differentiable with respect to the model's parameters (a loss on them can be back-propagated).
    /// </summary>
    /// <param name="which">Structure indices (a structure may appear more than once).</param>
    /// <param name="forces">Compute −∂E/∂x.</param>
    /// <param name="stress">Compute the stress of the structures with a cell.</param>
    /// <param name="createGraph">Record the derivative pass (training on forces or stress).</param>
    public PotentialPrediction Predict(ReadOnlySpan<int> which, bool forces, bool stress, bool createGraph = false)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        const string op = "PotentialEvaluator.Predict";
        if (which.Length == 0) throw new ArgumentException($"{op}: no structures given", nameof(which));
        var graphs = new Graph[which.Length];
        int n = 0;
        for (int g = 0; g < which.Length; g++)
        {
            if ((uint)which[g] >= (uint)entries.Length) throw new ArgumentOutOfRangeException(nameof(which), $"{op}: structure {which[g]} outside [0, {entries.Length})");
            graphs[g] = entries[which[g]].Graph;
            n += graphs[g].NumNodes;
        }
        var hostPos = new double[3 * n];
        var species = new long[n];
        var volume = new double[which.Length];
        int at = 0;
        for (int g = 0; g < which.Length; g++)
        {
            var e = entries[which[g]];
            e.Positions.CopyTo(hostPos, 3 * at);
            e.Species.CopyTo(species, at);
            at += e.Species.Length;
            // Structures without a cell get no stress: a zero row (1/∞).
            volume[g] = e.HasCell ? e.Volume : double.PositiveInfinity;
        }
        bool derivatives = forces || stress;
        using var grad = derivatives ? GradMode.EnableGrad() : null;
        var batch = GraphBatch.Collate(graphs);
        var pos = Tensor.FromDoubles(hostPos, [n, 3], DType, device);
        if (derivatives) pos.RequiresGrad = true;
        Tensor posUsed = pos, cellUsed = batch.Cell!;
        Tensor? strain = null;
        if (stress)
        {
            strain = Tensor.Zeros([which.Length, 3, 3], DType, device);
            strain.RequiresGrad = true;
            var deform = strain.Add(strain.Transpose(1, 2)).Mul(0.5).Add(Tensor.Eye(3, DType, device));
            posUsed = pos.Unsqueeze(1).MatMul(deform.IndexSelect(0, batch.NodeGraph)).Reshape(n, 3);
            cellUsed = batch.Cell!.MatMul(deform);
        }
        var graph = batch.WithGeometry(posUsed, cellUsed);
        var speciesT = Tensor.FromSpan<long>(species, [n], device);
        var atomic = Model.AtomicEnergies(graph, speciesT);
        if (atomic.Rank != 1 || atomic.Size(0) != n)
            throw new TensorException(op, $"{Model.GetType().Name}.AtomicEnergies returned {Tensor.ShapeString(atomic.Shape)}, expected [{n}]");
        var energy = atomic.SegmentSum(graph.NodeGraph, which.Length);
        Tensor? f = null, s = null;
        if (derivatives)
        {
            var inputs = new List<Tensor> { pos };
            if (strain is not null) inputs.Add(strain);
            var d = Autodiff.Grad([energy.Sum()], inputs, createGraph: createGraph);
            // A later backward of a loss on forces or stress must stop at the parameters: gradients
            // accumulated into these leaves would outlive the step (leaf gradients are kept).
            foreach (var x in inputs) x.RequiresGrad = false;
            if (forces) f = d[0].Neg();
            if (strain is not null)
            {
                var inv = Tensor.FromDoubles(volume.Select(v => 1 / v).ToArray(), [which.Length, 1], DType, device);
                var voigt = Tensor.FromSpan<long>(VoigtIndex, [6], device);
                s = d[1].Reshape(which.Length, 9).IndexSelect(1, voigt).Mul(inv);
            }
        }
        return new PotentialPrediction(energy, atomic, f, s, graph, batch);
    }

    /// <summary>
    /// Energy, forces and (with a cell) stress of every structure on the host, in batches of at most
    /// <paramref name="batchAtoms"/> atoms; the temporaries of each batch are freed as it ends.
    /// </summary>
    /// <param name="batchAtoms">Atoms per batch (a structure larger than this is a batch of its own).</param>
    public PotentialResult[] EvaluateAll(int batchAtoms = 4096)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var results = new PotentialResult[entries.Length];
        int start = 0;
        while (start < entries.Length)
        {
            int end = start, atoms = 0;
            while (end < entries.Length && (end == start || atoms + entries[end].Species.Length <= batchAtoms)) atoms += entries[end++].Species.Length;
            var which = Enumerable.Range(start, end - start).ToArray();
            using (TensorScope.Begin())
            {
                using var p = Predict(which, forces: true, stress: true);
                var e = p.Energy.ToArray<double>();
                var ea = p.AtomicEnergies.ToArray<double>();
                var f = p.Forces!.ToArray<double>();
                var s = p.Stress!.ToArray<double>();
                int a0 = 0;
                for (int g = 0; g < which.Length; g++)
                {
                    var entry = entries[which[g]];
                    int na = entry.Species.Length;
                    results[which[g]] = new PotentialResult(e[g], ea.AsSpan(a0, na).ToArray(), f.AsSpan(3 * a0, 3 * na).ToArray(),
                        entry.HasCell ? s.AsSpan(6 * g, 6).ToArray() : null);
                    a0 += na;
                }
            }
            start = end;
        }
        return results;
    }

    /// <summary>Frees the per-structure graphs.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var e in entries)
        {
            e?.Graph.Positions?.Dispose();
            e?.Graph.Cell?.Dispose();
            e?.Graph.Dispose();
        }
    }

    private static (DType, Device) ParameterKind(IPotentialModel model)
    {
        var p = (model as Module)?.Parameters().FirstOrDefault();
        return p is null ? (DType.Float64, Device.Cpu) : (p.DType, p.Device);
    }
}
