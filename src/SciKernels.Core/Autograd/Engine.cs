namespace SciKernels.Autograd;

/// <summary>
/// The reverse-mode pass: orders the recorded graph topologically (iteratively, so deep graphs
/// cannot overflow the stack) and runs the gradient rules from the outputs back to the leaves.
/// </summary>
internal static class Engine
{
    public static Dictionary<Tensor, Tensor> Run(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> gradOutputs,
        HashSet<Tensor>? stopAt,
        bool retainGraph,
        bool createGraph,
        bool accumulateIntoLeaves,
        HashSet<Tensor>? boundary = null,
        Tensor? onlyPathsFrom = null)
    {
        var order = TopologicalOrder(outputs, boundary);
        // Forward mode's fallback needs only the paths from its scratch gradient g: skip the rest.
        var onPath = onlyPathsFrom is null ? null : PathsFrom(order, onlyPathsFrom);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < outputs.Count; i++) grads[outputs[i]] = grads.TryGetValue(outputs[i], out var prev0) ? prev0.Add(gradOutputs[i]) : gradOutputs[i];

        var captured = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        // Without a recorded backward, a gradient the pass made itself is garbage once its tensor's rule has
        // run: free it there rather than at the end of the caller's scope (a 10⁴-atom force pass otherwise
        // holds every intermediate gradient at once). `owned` knows what the pass created; `refs` counts
        // the pending-gradient entries that hold each tensor (a rule may hand one tensor to several inputs).
        var owner = createGraph || onlyPathsFrom is not null ? null : TensorScope.BeginOwned();
        var refs = owner is null ? null : new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var pinned = owner is null ? null : new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        try
        {
            if (refs is not null)
                foreach (var g in grads.Values) refs[g] = refs.GetValueOrDefault(g) + 1;
            Walk();
        }
        finally
        {
            owner?.Dissolve();
        }
        return captured;

        void Release(Tensor x)
        {
            if (refs is null) return;
            int n = refs.GetValueOrDefault(x) - 1;
            if (n > 0)
            {
                refs[x] = n;
                return;
            }
            refs.Remove(x);
            if (!pinned!.Contains(x) && owner!.Owns(x)) x.Dispose();
        }

        void Walk()
        {
            // Read once per pass: a leaf's gradient is final when the walk reaches it (all its consumers come later in order).
            var leafReady = accumulateIntoLeaves ? GradientHooks.LeafReady : null;
            using (createGraph ? GradMode.EnableGrad() : GradMode.NoGrad())
            {
                // order lists every tensor after all tensors it depends on: walk it backwards.
                for (int i = order.Count - 1; i >= 0; i--)
                {
                    var t = order[i];
                    if (!grads.Remove(t, out var g)) continue;
                    if (stopAt is not null && stopAt.Contains(t))
                    {
                        captured[t] = g;
                        pinned?.Add(g);
                    }
                    if (onPath is not null && !onPath.Contains(t)) continue;
                    var node = t.GradFn;
                    if (node is null)
                    {
                        if (accumulateIntoLeaves && t.RequiresGrad)
                        {
                            // the leaf may keep this very tensor as its .Grad
                            pinned?.Add(g);
                            t.AccumulateGrad(g, createGraph);
                            leafReady?.Invoke(t);
                        }
                        continue;
                    }
                    if (node.DisposedOutput is { } disposed)
                        throw new ObjectDisposedException(nameof(Tensor),
                            $"Backward: the {disposed} result of '{node.Op}' was disposed before the backward pass reached it, so its gradient cannot flow on to the inputs of '{node.Op}'; " +
                            "keep the intermediates of a computation alive (e.g. in one TensorScope) until Backward has run");
                    var rule = node.Backward ?? throw new InvalidOperationException(
                        $"Backward: the graph through '{node.Op}' has already been freed by an earlier backward pass; pass retainGraph: true to the first Backward/Grad call to go through it twice");
                    node.CheckSavedVersions();
                    Tensor?[] inGrads;
                    try
                    {
                        inGrads = rule(g);
                    }
                    catch (AnomalyException e) when (!e.Op.StartsWith("backward of ", StringComparison.Ordinal))
                    {
                        // An op inside the gradient rule produced the NaN/Inf: report the op the user wrote.
                        throw new AnomalyException($"backward of {node.Op}", $"anomaly in the backward of {node.Op}: {e.Message}");
                    }
                    if (inGrads.Length != node.Inputs.Length)
                        throw new InvalidOperationException($"Backward of {node.Op}: the gradient rule returned {inGrads.Length} gradients for {node.Inputs.Length} inputs");
                    for (int k = 0; k < inGrads.Length; k++)
                    {
                        var gi = inGrads[k];
                        var input = node.Inputs[k];
                        if (gi is null || !input.RequiresGrad) continue;
                        if (!gi.Shape.SequenceEqual(input.Shape))
                            throw new InvalidOperationException($"Backward of {node.Op}: gradient for input {k} has shape {Tensor.ShapeString(gi.Shape)} but the input has shape {Tensor.ShapeString(input.Shape)}");
                        if (GradMode.IsAnomalyDetectionEnabled) Anomaly.Check(gi, $"backward of {node.Op} (gradient of input {k})");
                        Accumulate(input, gi);
                    }
                    if (refs is not null)
                    {
                        // after all inputs took theirs: a returned gradient no entry holds (summed into one) is spent, and so is g
                        foreach (var gi in inGrads)
                            if (gi is not null && !refs.ContainsKey(gi) && !ReferenceEquals(gi, g) && !pinned!.Contains(gi) && owner!.Owns(gi)) gi.Dispose();
                        Release(g);
                    }
                    if (!retainGraph) node.Free();
                }
            }
        }

        void Accumulate(Tensor t, Tensor g)
        {
            if (!grads.TryGetValue(t, out var prev))
            {
                grads[t] = g;
                if (refs is not null) refs[g] = refs.GetValueOrDefault(g) + 1;
                return;
            }
            var sum = prev.Add(g);
            grads[t] = sum;
            if (refs is null) return;
            refs[sum] = refs.GetValueOrDefault(sum) + 1;
            Release(prev);
        }
    }

    /// <summary>The tensors of <paramref name="order"/> that depend on <paramref name="source"/>.</summary>
    private static HashSet<Tensor> PathsFrom(List<Tensor> order, Tensor source)
    {
        var on = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { source };
        foreach (var t in order)
        {
            var inputs = t.GradFn?.Inputs;
            if (inputs is null) continue;
            foreach (var c in inputs)
            {
                if (!on.Contains(c)) continue;
                on.Add(t);
                break;
            }
        }
        return on;
    }

    /// <summary>Tensors reachable from the outputs, inputs first; the graph behind a <paramref name="boundary"/> tensor is not entered.</summary>
    private static List<Tensor> TopologicalOrder(IReadOnlyList<Tensor> outputs, HashSet<Tensor>? boundary)
    {
        var order = new List<Tensor>();
        var state = new Dictionary<Tensor, bool>(ReferenceEqualityComparer.Instance); // false = open, true = done
        var stack = new Stack<(Tensor T, int Next)>();
        foreach (var root in outputs)
        {
            if (state.ContainsKey(root)) continue;
            stack.Push((root, 0));
            state[root] = false;
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var inputs = boundary is not null && boundary.Contains(t) ? Array.Empty<Tensor>() : t.GradFn?.Inputs ?? Array.Empty<Tensor>();
                bool descended = false;
                for (int k = next; k < inputs.Length; k++)
                {
                    var c = inputs[k];
                    if (!c.RequiresGrad || state.ContainsKey(c)) continue;
                    stack.Push((t, k + 1));
                    stack.Push((c, 0));
                    state[c] = false;
                    descended = true;
                    break;
                }
                if (!descended)
                {
                    state[t] = true;
                    order.Add(t);
                }
            }
        }
        return order;
    }
}
