namespace SciKernels.Pinn;

/// <summary>
/// Named access to a model's outputs, their input derivatives, the coordinates and the PDE coefficients
/// at a batch of points: what a PDE lambda receives. With inputs ("x", "t") and output "u",
/// <c>f["u_t"] + f["u"] * f["u_x"] - nu * f["u_xx"]</c> is the Burgers residual.
/// </summary>
public sealed class Fields
{
    private readonly PinnModel model;

    /// <summary>Wraps derivatives computed for <paramref name="model"/>.</summary>
    public Fields(PinnModel model, IDerivatives derivatives)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        Derivatives = derivatives ?? throw new ArgumentNullException(nameof(derivatives));
    }

    /// <summary>The underlying index-based derivatives.</summary>
    public IDerivatives Derivatives { get; }

    /// <summary>Number of points.</summary>
    public int Count => Derivatives.Points.Size(0);

    /// <summary>Index of a named output (throws when unknown).</summary>
    public int OutputIndex(string output) => model.OutputIndexOrThrow(output);

    /// <summary>Index of a named input variable (throws when unknown).</summary>
    public int InputIndex(string variable) => model.InputIndexOrThrow(variable);

    /// <summary>The first output (the solution of a scalar PDE) as [n, 1].</summary>
    public Tensor U => Derivatives.Value(0);

    /// <summary>
    /// An output or derivative by name: "u" for the output u, "u_x" for ∂u/∂x, "u_xx" for ∂²u/∂x²,
    /// "u_xt" for ∂²u/∂x∂t (one letter per input variable after the underscore).
    /// </summary>
    public Tensor this[string name]
    {
        get
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            int us = name.LastIndexOf('_');
            if (us < 0 || model.OutputIndex(name) >= 0) return Value(name);
            var output = name[..us];
            var vars = name[(us + 1)..];
            var dims = new int[vars.Length];
            for (int i = 0; i < vars.Length; i++) dims[i] = model.InputIndexOrThrow(vars[i].ToString());
            return Derivatives.Derivative(model.OutputIndexOrThrow(output), dims);
        }
    }

    /// <summary>Output <paramref name="output"/> as [n, 1].</summary>
    public Tensor Value(string output) => Derivatives.Value(model.OutputIndexOrThrow(output));

    /// <summary>∂(output)/∂(variable).</summary>
    public Tensor D(string output, string variable) => Derivatives.Derivative(model.OutputIndexOrThrow(output), model.InputIndexOrThrow(variable));

    /// <summary>∂²(output)/∂(v1)∂(v2).</summary>
    public Tensor D2(string output, string v1, string v2)
        => Derivatives.Derivative(model.OutputIndexOrThrow(output), model.InputIndexOrThrow(v1), model.InputIndexOrThrow(v2));

    /// <summary>The Laplacian Σ ∂²u/∂x_k² of an output over the named spatial variables.</summary>
    public Tensor Laplacian(string output, params string[] variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (variables.Length == 0) throw new ArgumentException("Laplacian: name at least one variable", nameof(variables));
        Tensor? sum = null;
        foreach (var v in variables)
        {
            var d2 = D2(output, v, v);
            sum = sum is null ? d2 : sum + d2;
        }
        return sum!;
    }

    /// <summary>The coordinate column of an input variable, [n, 1] (constant w.r.t. the parameters).</summary>
    public Tensor X(string variable) => Derivatives.Points.Detach().Narrow(1, model.InputIndexOrThrow(variable), 1);

    /// <summary>A (possibly trainable) PDE coefficient registered on the model, as a broadcastable [1] tensor.</summary>
    public Tensor Coefficient(string name) => model.Coefficient(name);
}
