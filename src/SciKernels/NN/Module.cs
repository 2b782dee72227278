using SciKernels.Autograd;

namespace SciKernels.NN;

/// <summary>
/// Base class of layers and models (like <c>torch.nn.Module</c>): owns named parameters, buffers and
/// submodules, registered explicitly so that names and order never depend on reflection.
/// </summary>
/// <remarks>
/// Parameters are ordinary tensors with <see cref="Tensor.RequiresGrad"/> set; registration keeps them
/// out of any open <see cref="TensorScope"/>, so a model built inside a scope survives it. Layers read
/// their parameters through <see cref="GetParameter"/> on every call, so <see cref="To(Device)"/> can
/// swap the tensors without leaving stale references in fields. Create optimizers after moving a model.
/// </remarks>
public abstract class Module : IDisposable
{
    private readonly List<string> parameterNames = new();
    private readonly Dictionary<string, Tensor?> parameters = new(StringComparer.Ordinal);
    private readonly List<string> bufferNames = new();
    private readonly Dictionary<string, Tensor?> buffers = new(StringComparer.Ordinal);
    private readonly List<(string Name, Module Module)> children = new();
    private bool disposed;

    /// <summary>True in training mode (the default); false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Same as <see cref="Forward"/>, so a module can be used like a function.</summary>
    public Tensor Call(Tensor input) => Forward(input);

    // ---- registration ----

    /// <summary>
    /// Registers <paramref name="tensor"/> as a trainable parameter (null reserves the name, e.g. a
    /// disabled bias). Sets <see cref="Tensor.RequiresGrad"/> and keeps the tensor out of open scopes.
    /// </summary>
    /// <returns>The registered tensor.</returns>
    protected Tensor? RegisterParameter(string name, Tensor? tensor)
    {
        CheckNewName(name);
        if (tensor is not null)
        {
            if (!tensor.DType.IsFloatingPoint())
                throw new ArgumentException($"{GetType().Name}: parameter '{name}' must be float32 or float64, got {tensor.DType.Name()}", nameof(tensor));
            if (!tensor.IsLeaf)
                throw new ArgumentException($"{GetType().Name}: parameter '{name}' is the result of '{tensor.GradFnName}'; register a leaf (use Detach())", nameof(tensor));
            tensor.RequiresGrad = true;
            TensorScope.Keep(tensor);
        }
        parameterNames.Add(name);
        parameters[name] = tensor;
        return tensor;
    }

    /// <summary>
    /// Registers a non-trainable state tensor (e.g. running statistics or a step counter) that is saved
    /// in checkpoints and moved by <see cref="To(Device)"/>. Any dtype.
    /// </summary>
    /// <returns>The registered tensor.</returns>
    protected Tensor? RegisterBuffer(string name, Tensor? tensor)
    {
        CheckNewName(name);
        if (tensor is not null) TensorScope.Keep(tensor);
        bufferNames.Add(name);
        buffers[name] = tensor;
        return tensor;
    }

    /// <summary>Registers a child module; its parameters appear as <c>name.child_param</c>.</summary>
    /// <returns>The registered module.</returns>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot contain itself", nameof(module));
        children.Add((name, module));
        return module;
    }

    private void CheckNewName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('.')) throw new ArgumentException($"{GetType().Name}: name '{name}' must not contain '.' (dots separate submodule names)", nameof(name));
        if (parameters.ContainsKey(name) || buffers.ContainsKey(name) || children.Exists(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered", nameof(name));
    }

    /// <summary>The registered parameter <paramref name="name"/> (throws when it is missing or null).</summary>
    protected Tensor GetParameter(string name)
    {
        if (!parameters.TryGetValue(name, out var t)) throw new KeyNotFoundException($"{GetType().Name}: no parameter '{name}'");
        return t ?? throw new InvalidOperationException($"{GetType().Name}: parameter '{name}' is null");
    }

    /// <summary>The registered parameter <paramref name="name"/>, or null when it was registered as null.</summary>
    protected Tensor? GetOptionalParameter(string name)
        => parameters.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{GetType().Name}: no parameter '{name}'");

    /// <summary>The registered buffer <paramref name="name"/>, or null when it was registered as null.</summary>
    protected Tensor? GetBuffer(string name)
        => buffers.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{GetType().Name}: no buffer '{name}'");

    // ---- discovery ----

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    /// <summary>This module (name "") and all descendants with dotted names, depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk("", seen);
    }

    private IEnumerable<(string Name, Module Module)> Walk(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) yield break; // a shared submodule is listed once, like PyTorch
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var item in child.Walk(prefix.Length == 0 ? name : prefix + "." + name, seen))
                yield return item;
    }

    /// <summary>Every parameter with its dotted name (e.g. <c>layers.0.weight</c>), in registration order; shared tensors once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var n in m.parameterNames)
                if (m.parameters[n] is { } p && seen.Add(p))
                    yield return (Join(prefix, n), p);
    }

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var n in m.bufferNames)
                if (m.buffers[n] is { } b)
                    yield return (Join(prefix, n), b);
    }

    /// <summary>Parameters then buffers by dotted name: what a checkpoint stores.</summary>
    public IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
    {
        var list = new List<(string, Tensor)>();
        foreach (var (n, p) in NamedParameters()) list.Add((n, p));
        foreach (var (n, b) in NamedBuffers()) list.Add((n, b));
        return list;
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => Parameters().Sum(p => p.NumElements);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---- modes and bulk operations ----

    /// <summary>Sets training mode on this module and all descendants (Dropout is active only in training).</summary>
    /// <returns>This module.</returns>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = mode;
        return this;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>).</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>Drops (or zeroes in place) every parameter's gradient.</summary>
    /// <param name="setToNone">True frees the gradients (PyTorch's default); false fills them with zeros and reuses the buffers.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters()) ZeroGradOf(p, setToNone);
    }

    internal static void ZeroGradOf(Tensor p, bool setToNone)
    {
        if (p.Grad is null) return;
        if (setToNone || p.Grad.RequiresGrad || !p.Grad.IsContiguous) p.ZeroGrad();
        else
        {
            using var _ = GradMode.NoGrad();
            p.Grad.FillInPlace(0);
        }
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> (gradients are dropped).</summary>
    /// <returns>This module.</returns>
    public Module To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return Convert(t => t.Device == device ? t : t.To(device));
    }

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> (gradients are dropped).</summary>
    /// <returns>This module.</returns>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"To: parameters must stay floating point, not {dtype.Name()}", nameof(dtype));
        return Convert(t => t.DType == dtype || !t.DType.IsFloatingPoint() ? t : t.To(dtype));
    }

    private Module Convert(Func<Tensor, Tensor> convert)
    {
        using var _ = GradMode.NoGrad();
        foreach (var (_, m) in NamedModules())
        {
            foreach (var n in m.parameterNames)
            {
                if (m.parameters[n] is not { } p) continue;
                var moved = convert(p);
                if (ReferenceEquals(moved, p)) continue;
                p.ZeroGrad();
                moved.RequiresGrad = true;
                m.parameters[n] = TensorScope.Keep(moved);
                p.Dispose();
            }
            foreach (var n in m.bufferNames)
            {
                if (m.buffers[n] is not { } b) continue;
                var moved = convert(b);
                if (ReferenceEquals(moved, b)) continue;
                m.buffers[n] = TensorScope.Keep(moved);
                b.Dispose();
            }
        }
        return this;
    }

    /// <summary>Short description used by <see cref="ToString"/>; layers override it with their sizes.</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch-style tree of the module and its children.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        Describe(sb, 0);
        return sb.ToString();
    }

    private void Describe(System.Text.StringBuilder sb, int indent)
    {
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (children.Count > 0)
        {
            sb.AppendLine();
            foreach (var (name, child) in children)
            {
                sb.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
                child.Describe(sb, indent + 2);
                sb.AppendLine();
            }
            sb.Append(' ', indent);
        }
        sb.Append(')');
    }

    /// <summary>Disposes every parameter, buffer and gradient of this module and its descendants.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var n in parameterNames)
        {
            if (parameters[n] is not { } p) continue;
            p.ZeroGrad();
            p.Dispose();
        }
        foreach (var n in bufferNames) buffers[n]?.Dispose();
        foreach (var (_, c) in children) c.Dispose();
        GC.SuppressFinalize(this);
    }
}
