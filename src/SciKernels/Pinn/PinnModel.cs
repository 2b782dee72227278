using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// Maps (points, raw network output) to the model output, e.g. to build boundary or initial data into
/// the solution exactly (a hard constraint): u = g(x) + ℓ(x)·N(x) with ℓ = 0 on the boundary.
/// </summary>
/// <param name="points">The [n, d] points (unscaled coordinates).</param>
/// <param name="networkOutput">The [n, m] raw network output.</param>
/// <returns>The [n, m] model output.</returns>
public delegate Tensor OutputTransform(Tensor points, Tensor networkOutput);

/// <summary>
/// A physics-informed model: a network of the input coordinates with named inputs and outputs,
/// optional input scaling to [−1, 1] (as Raissi et al.), an optional output transform for hard
/// constraints, and scalar PDE coefficients that may be trainable (inverse problems).
/// </summary>
public sealed class PinnModel : Module
{
    private readonly string[] inputs;
    private readonly string[] outputs;
    private readonly double[]? lower, upper;
    private readonly Dictionary<string, (Tensor Raw, bool Positive, bool Trainable)> coefficients = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="network"/> (input width = inputs, output width = outputs).</summary>
    /// <param name="network">The network, e.g. an <see cref="Mlp"/>.</param>
    /// <param name="inputNames">Names of the input coordinates, e.g. ["x", "t"].</param>
    /// <param name="outputNames">Names of the outputs, e.g. ["u"].</param>
    /// <param name="lower">Lower corner of the domain's bounding box; with <paramref name="upper"/> the inputs are scaled to [−1, 1].</param>
    /// <param name="upper">Upper corner of the bounding box.</param>
    /// <param name="transform">Optional output transform (hard constraints).</param>
    public PinnModel(Module network, IReadOnlyList<string> inputNames, IReadOnlyList<string> outputNames,
        IReadOnlyList<double>? lower = null, IReadOnlyList<double>? upper = null, OutputTransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (inputNames.Count == 0 || outputNames.Count == 0) throw new ArgumentException("PinnModel: name at least one input and one output");
        if (inputNames.Concat(outputNames).Distinct(StringComparer.Ordinal).Count() != inputNames.Count + outputNames.Count)
            throw new ArgumentException("PinnModel: input and output names must be distinct");
        if ((lower is null) != (upper is null)) throw new ArgumentException("PinnModel: give both lower and upper bounds, or neither");
        if (lower is not null && (lower.Count != inputNames.Count || upper!.Count != inputNames.Count))
            throw new ArgumentException($"PinnModel: bounds need {inputNames.Count} entries");
        Network = RegisterModule("network", network);
        inputs = inputNames.ToArray();
        outputs = outputNames.ToArray();
        this.lower = lower?.ToArray();
        this.upper = upper?.ToArray();
        Transform = transform;
    }

    /// <summary>The wrapped network.</summary>
    public Module Network { get; }

    /// <summary>Input coordinate names.</summary>
    public IReadOnlyList<string> InputNames => inputs;

    /// <summary>Output names.</summary>
    public IReadOnlyList<string> OutputNames => outputs;

    /// <summary>The output transform, or null.</summary>
    public OutputTransform? Transform { get; }

    /// <summary>The dtype points are fed in: that of the parameters (float64 for a parameter-free closed-form model).</summary>
    public DType ComputeType => Parameters().FirstOrDefault()?.DType ?? DType.Float64;

    /// <summary>Lower bounds used for input scaling, or null.</summary>
    public IReadOnlyList<double>? Lower => lower;

    /// <summary>Upper bounds used for input scaling, or null.</summary>
    public IReadOnlyList<double>? Upper => upper;

    /// <summary>
    /// Registers a scalar PDE coefficient. A trainable one is a model parameter (named
    /// <c>coefficient_NAME</c>, saved in checkpoints); a positive one is stored as its logarithm, so it
    /// stays positive and Adam takes relative steps (useful for small viscosities).
    /// </summary>
    /// <returns>The coefficient as the PDE sees it.</returns>
    public Tensor AddCoefficient(string name, double initial, bool trainable = true, bool positive = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (coefficients.ContainsKey(name)) throw new ArgumentException($"PinnModel: coefficient '{name}' already exists", nameof(name));
        if (positive && !(initial > 0)) throw new ArgumentOutOfRangeException(nameof(initial), $"a positive coefficient needs a positive initial value, got {initial}");
        var dtype = ComputeType;
        var raw = Tensor.Full([1], positive ? Math.Log(initial) : initial, dtype);
        if (trainable) RegisterParameter("coefficient_" + name, raw);
        else RegisterBuffer("coefficient_" + name, raw);
        coefficients[name] = (raw, positive, trainable);
        return Coefficient(name);
    }

    /// <summary>The coefficient's current value as a [1] tensor (differentiable when trainable).</summary>
    public Tensor Coefficient(string name)
    {
        if (!coefficients.TryGetValue(name, out var c))
            throw new KeyNotFoundException($"PinnModel: no coefficient '{name}' (known: {string.Join(", ", coefficients.Keys)})");
        var raw = c.Trainable ? GetParameter("coefficient_" + name) : GetBuffer("coefficient_" + name)!;
        return c.Positive ? raw.Exp() : raw;
    }

    /// <summary>The coefficient's current value as a number.</summary>
    public double CoefficientValue(string name)
    {
        using var scope = TensorScope.Begin();
        using var _ = Autograd.GradMode.NoGrad();
        return Coefficient(name).Item();
    }

    /// <summary>Names of the registered coefficients.</summary>
    public IEnumerable<string> CoefficientNames => coefficients.Keys;

    /// <summary>Index of an input variable, or −1.</summary>
    public int InputIndex(string name) => Array.IndexOf(inputs, name);

    /// <summary>Index of an output, or −1.</summary>
    public int OutputIndex(string name) => Array.IndexOf(outputs, name);

    internal int InputIndexOrThrow(string name)
    {
        int i = InputIndex(name);
        return i >= 0 ? i : throw new KeyNotFoundException($"PinnModel: no input variable '{name}' (inputs: {string.Join(", ", inputs)})");
    }

    internal int OutputIndexOrThrow(string name)
    {
        int i = OutputIndex(name);
        return i >= 0 ? i : throw new KeyNotFoundException($"PinnModel: no output '{name}' (outputs: {string.Join(", ", outputs)})");
    }

    /// <summary>Scales the [n, d] points to [−1, 1] when bounds were given.</summary>
    public Tensor ScaleInputs(Tensor points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (lower is null) return points;
        int d = inputs.Length;
        var scale = new double[d];
        var shift = new double[d];
        for (int k = 0; k < d; k++)
        {
            scale[k] = 2 / (upper![k] - lower[k]);
            shift[k] = -1 - lower[k] * scale[k];
        }
        return points.Mul(Tensor.FromDoubles(scale, [1, d], points.DType, points.Device)).Add(Tensor.FromDoubles(shift, [1, d], points.DType, points.Device));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Size(1) != inputs.Length)
            throw new ArgumentException($"PinnModel: expected [n, {inputs.Length}] points ({string.Join(", ", inputs)}), got {Tensor.ShapeString(input.Shape)}", nameof(input));
        var raw = Network.Forward(ScaleInputs(input));
        if (raw.Rank != 2 || raw.Size(1) != outputs.Length)
            throw new InvalidOperationException($"PinnModel: the network returned {Tensor.ShapeString(raw.Shape)}, expected [n, {outputs.Length}]");
        return Transform is null ? raw : Transform(input, raw);
    }

    /// <summary>Evaluates the model on host points without building a graph.</summary>
    /// <returns>Row-major [n, outputs] values.</returns>
    public double[] Predict(PointSet points, int batch = 8192)
    {
        ArgumentNullException.ThrowIfNull(points);
        var dtype = ComputeType;
        var result = HostArrays.Doubles("PinnModel.Predict", points.Count, outputs.Length, "points × outputs");
        using var _ = Autograd.GradMode.NoGrad();
        for (int start = 0; start < points.Count; start += batch)
        {
            using var scope = TensorScope.Begin();
            int n = Math.Min(batch, points.Count - start);
            var x = Tensor.FromDoubles(points.Data.AsSpan(start * points.Dimension, n * points.Dimension), [n, points.Dimension], dtype);
            Forward(x).ToArray<double>().CopyTo(result, start * outputs.Length);
        }
        return result;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"inputs=({string.Join(", ", inputs)}), outputs=({string.Join(", ", outputs)})";
}
