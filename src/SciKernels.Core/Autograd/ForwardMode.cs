namespace SciKernels.Autograd;

/// <summary>
/// A tangent a tensor carries at one forward-mode level; levels are linked so a tensor can carry
/// tangents of several nested Jvp calls.
/// </summary>
internal sealed class TangentLink(int level, Tensor tangent, TangentLink? next)
{
    public int Level { get; } = level;
    public Tensor Tangent { get; } = tangent;
    public TangentLink? Next { get; } = next;
}

/// <summary>
/// The forward-mode (JVP) machinery: a thread-local stack of levels and the propagation step that
/// <see cref="Tensor.Record"/> runs for every op while a level is active.
/// </summary>
/// <remarks>
/// Levels nest (forward-over-forward, forward-over-reverse). While the tangent of level k is
/// computed, only the levels outside it (0..k-1) are visible: the tangent carries the outer
/// levels' tangents (so it can be differentiated again) but is never mixed with an inner level —
/// each level's tangent is computed exactly once and perturbations of different levels stay apart.
/// </remarks>
internal static class ForwardMode
{
    // Record reads only `visible` on the hot path: 0 means no forward-mode work at all.
    [ThreadStatic] private static int visible;
    [ThreadStatic] private static int[]? levels;
    [ThreadStatic] private static int depth;
    private static int nextLevel;
    [ThreadStatic] private static int fallbacks;

    /// <summary>How many tangents this thread derived with the generic fallback (tests check that explicit rules are used).</summary>
    public static int FallbackCount => fallbacks;

    /// <summary>Number of levels the current op must propagate (0 when forward mode is off).</summary>
    public static int Visible => visible;

    /// <summary>Opens a new innermost level; dispose the returned scope to close it.</summary>
    public static Level Enter()
    {
        if (visible != depth)
            throw new InvalidOperationException("Jvp: cannot open a forward-mode level inside an op's forward rule");
        levels ??= new int[4];
        if (depth == levels.Length) Array.Resize(ref levels, depth * 2);
        int id = Interlocked.Increment(ref nextLevel);
        levels[depth++] = id;
        visible = depth;
        return new Level(id, depth);
    }

    /// <summary>A forward-mode level; closing it makes its tangents invisible to later ops.</summary>
    internal sealed class Level(int id, int depthAfterEnter) : IDisposable
    {
        private bool closed;

        public int Id { get; } = id;

        public void Dispose()
        {
            if (closed) return;
            closed = true;
            if (depth != depthAfterEnter || levels![depth - 1] != Id)
                throw new InvalidOperationException("Jvp: forward-mode levels must close in the reverse order they opened, on the thread that opened them");
            depth--;
            visible = depth;
        }
    }

    /// <summary>The tangent of <paramref name="t"/> at level <paramref name="level"/>, or null (zero).</summary>
    public static Tensor? TangentOf(Tensor t, int level)
    {
        for (var l = t.Tangents; l is not null; l = l.Next)
            if (l.Level == level) return l.Tangent;
        return null;
    }

    /// <summary>Attaches <paramref name="tangent"/> to <paramref name="t"/> at <paramref name="level"/>.</summary>
    public static void Attach(Tensor t, int level, Tensor tangent) => t.Tangents = new TangentLink(level, tangent, t.Tangents);

    /// <summary>
    /// For each visible level at which an input carries a tangent, computes the result's tangent
    /// with <paramref name="jvp"/> (or the generic fallback when the op has no forward rule) and
    /// attaches it.
    /// </summary>
    public static void Propagate(Tensor result, string op, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, Func<Tensor?[], Tensor?>? jvp)
    {
        int top = visible;
        // Outermost first: a rule that reads the result (e.g. tanh′ = 1 − y²) then sees its outer tangents.
        for (int k = 0; k < top; k++)
        {
            int level = levels![k];
            Tensor?[]? tangents = null;
            for (int i = 0; i < inputs.Length; i++)
            {
                var ti = TangentOf(inputs[i], level);
                if (ti is null) continue;
                tangents ??= new Tensor?[inputs.Length];
                tangents[i] = ti;
            }
            if (tangents is null) continue;
            Tensor? tangent;
            visible = k; // the rule sees only the outer levels
            try
            {
                tangent = jvp is not null ? jvp(tangents) : Fallback(result, op, inputs, tangents, backward);
            }
            finally
            {
                visible = top;
            }
            if (tangent is null) continue;
            CheckTangent(op, "the forward rule returned a tangent", tangent, result);
            Attach(result, level, tangent);
        }
    }

    /// <summary>Throws unless <paramref name="tangent"/> matches <paramref name="primal"/> in shape, dtype and device.</summary>
    public static void CheckTangent(string op, string what, Tensor tangent, Tensor primal)
    {
        if (!tangent.Shape.SequenceEqual(primal.Shape))
            throw new TensorException(op, $"{what} of shape {Tensor.ShapeString(tangent.Shape)} for a primal of shape {Tensor.ShapeString(primal.Shape)}");
        if (tangent.DType != primal.DType)
            throw new TensorException(op, $"{what} of dtype {tangent.DType.Name()} for a {Tensor.ShapeString(primal.Shape)} primal of dtype {primal.DType.Name()}");
        if (tangent.Device != primal.Device)
            throw new TensorException(op, $"{what} on {tangent.Device} for a {Tensor.ShapeString(primal.Shape)} primal on {primal.Device}");
    }

    /// <summary>
    /// The forward rule of an op that declares none, derived from its backward: the backward is
    /// linear in the output gradient g, so J·v = ∂/∂g Σ_i ⟨backward(g)_i, v_i⟩ (the "double-VJP"
    /// trick). Costs one backward of the op plus the reverse pass through that backward (about
    /// three times the op's own cost, recorded), and the result stays differentiable.
    /// </summary>
    private static Tensor? Fallback(Tensor result, string op, Tensor[] inputs, Tensor?[] tangents, Func<Tensor, Tensor?[]> backward)
    {
        if (!result.DType.IsFloatingPoint()) return null;
        fallbacks++;
        // The gradient rules compute a gradient only for inputs that require one: mark the inputs
        // that carry a tangent for the duration of the call, and restore them afterwards.
        var flipped = new List<Tensor>();
        bool outerTangents = visible > 0;
        bool wasRecording = GradMode.IsEnabled;
        try
        {
            foreach (var (x, v) in inputs.Zip(tangents))
            {
                if (v is null || x.RequiresGrad) continue;
                x.SetRequiresGradUnchecked(true);
                flipped.Add(x);
            }
            using (GradMode.EnableGrad())
            {
                var g = Tensor.Zeros(result.Shape, result.DType, result.Device).RequiresGrad_();
                Tensor?[] grads;
                try
                {
                    grads = backward(g);
                }
                catch (InvalidOperationException e)
                {
                    throw new InvalidOperationException($"Jvp: {op} has no forward rule and its backward cannot be reused for one: {e.Message}", e);
                }
                Tensor? s = null;
                var boundary = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { result };
                for (int i = 0; i < inputs.Length; i++)
                {
                    boundary.Add(inputs[i]);
                    var v = tangents[i];
                    if (v is null) continue;
                    boundary.Add(v);
                    if (grads.Length <= i || grads[i] is not { } gi) continue;
                    var term = gi.Mul(v).Sum();
                    s = s is null ? term : s.Add(term);
                }
                if (s is null || !s.RequiresGrad) return Tensor.ZerosLike(result);
                var captured = Engine.Run(new[] { s }, new[] { Tensor.OnesLike(s) }, new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { g },
                    retainGraph: true, createGraph: true, accumulateIntoLeaves: false, boundary: boundary, onlyPathsFrom: g);
                if (!captured.TryGetValue(g, out var jv)) return Tensor.ZerosLike(result);
                // Nothing can differentiate the tangent further: cut it from the scratch graph of g.
                bool differentiable = outerTangents || (wasRecording && (AnyRequiresGrad(inputs, flipped) || AnyRequiresGrad(tangents, flipped)));
                return differentiable ? jv : jv.Detach();
            }
        }
        finally
        {
            foreach (var x in flipped) x.SetRequiresGradUnchecked(false);
        }
    }

    private static bool AnyRequiresGrad(Tensor?[] tensors, List<Tensor> flipped)
    {
        foreach (var t in tensors)
            if (t is not null && t.RequiresGrad && !flipped.Contains(t)) return true;
        return false;
    }
}
