namespace SciKernels;

/// <summary>
/// Collects the tensors created on this thread while it is open and disposes them when it ends,
/// so the temporaries of a training step go back to the pool and memory stays flat.
/// </summary>
/// <example>
/// <code>
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     var loss = model.Forward(x).Sub(y).Square().Mean();
///     loss.Backward();          // parameter gradients are kept: they belong to the parameters
///     optimizer.Step();
///     lossValue = loss.Item();  // read scalars before the scope ends
/// }
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;
    private readonly TensorScope? parent;
    private readonly List<Tensor> tracked = new();
    private HashSet<Tensor>? owned; // BeginOwned: the tracked tensors, for Owns
    private readonly HashSet<Tensor> kept = new(ReferenceEqualityComparer.Instance);
    private bool ended;

    private TensorScope(TensorScope? parent) => this.parent = parent;

    /// <summary>Opens a scope on the current thread (scopes nest).</summary>
    public static TensorScope Begin()
    {
        var s = new TensorScope(current);
        current = s;
        return s;
    }

    internal static void Track(Tensor t) => current?.Add(t);

    private void Add(Tensor t)
    {
        tracked.Add(t);
        owned?.Add(t);
    }

    /// <summary>
    /// A scope that knows which tensors were created (or returned into it) while it is open, for
    /// <see cref="Owns"/>; <see cref="Dissolve"/> closes it without disposing anything, handing its
    /// tensors to the enclosing scope. The backward pass uses it to free intermediate gradients it made itself.
    /// </summary>
    internal static TensorScope BeginOwned()
    {
        var s = Begin();
        s.owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        return s;
    }

    /// <summary>Whether <paramref name="t"/> was created in this <see cref="BeginOwned"/> scope (or its nested scopes returned it) and nobody kept it.</summary>
    internal bool Owns(Tensor t) => owned is not null && owned.Contains(t) && !kept.Contains(t);

    /// <summary>Closes this scope (and scopes nested in it) without disposing: its tensors go to the enclosing scope, as if created there.</summary>
    internal void Dissolve()
    {
        if (ended) return;
        while (current is not null && !ReferenceEquals(current, this)) current.End();
        if (!ReferenceEquals(current, this)) return;
        ended = true;
        current = parent;
        if (parent is not null)
            foreach (var t in tracked)
                if (!t.IsDisposed) parent.Add(t);
        tracked.Clear();
        kept.Clear();
        owned = null;
    }

    /// <summary>
    /// Removes <paramref name="t"/> from every open scope so it outlives them (e.g. a parameter's
    /// gradient or a result returned from the step).
    /// </summary>
    public static Tensor Keep(Tensor t)
    {
        for (var s = current; s is not null; s = s.parent) s.kept.Add(t);
        return t;
    }

    /// <summary>Moves <paramref name="t"/> to the enclosing scope (or to no scope) instead of disposing it.</summary>
    public Tensor Return(Tensor t)
    {
        kept.Add(t);
        parent?.Add(t);
        return t;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    internal static TensorScope? Current => current;

    /// <summary>
    /// Disposes every tensor created in this scope that was not kept. Scopes end in the reverse order
    /// they began: ending an outer scope while inner ones are still open ends those first (their
    /// tensors are disposed too), so the thread is never left inside an ended scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on a thread other than the one that began the scope; the scope stays open.</exception>
    public void Dispose()
    {
        if (ended) return;
        bool open = false;
        for (var s = current; s is not null && !open; s = s.parent) open = ReferenceEquals(s, this);
        if (!open)
            throw new InvalidOperationException("TensorScope: a scope must be disposed on the thread that began it (it is not open on this thread); it stays open");
        while (!ReferenceEquals(current, this)) current!.End();
        End();
    }

    /// <summary>Ends this scope, the innermost open one of the thread.</summary>
    private void End()
    {
        ended = true;
        current = parent;
        foreach (var t in tracked)
            if (!kept.Contains(t)) t.Dispose();
        tracked.Clear();
        kept.Clear();
    }
}
