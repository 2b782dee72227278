namespace SciKernels.NN;

/// <summary>The element-wise activations that <see cref="Mlp"/> and <see cref="Activations.Create"/> know by name.</summary>
public enum Activation
{
    /// <summary>No activation (identity).</summary>
    Identity,
    /// <summary>tanh x.</summary>
    Tanh,
    /// <summary>sin x (SIREN-style networks).</summary>
    Sin,
    /// <summary>Exact GELU.</summary>
    Gelu,
    /// <summary>SiLU / swish, x·σ(x).</summary>
    Silu,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>ln(1 + eˣ).</summary>
    Softplus,
    /// <summary>1/(1 + e⁻ˣ).</summary>
    Sigmoid,
}

/// <summary>Creates activation modules from <see cref="Activation"/> values.</summary>
public static class Activations
{
    /// <summary>A new module computing <paramref name="activation"/>.</summary>
    public static Module Create(Activation activation) => activation switch
    {
        Activation.Identity => new Identity(),
        Activation.Tanh => new Tanh(),
        Activation.Sin => new Sin(),
        Activation.Gelu => new Gelu(),
        Activation.Silu => new Silu(),
        Activation.Relu => new Relu(),
        Activation.Softplus => new Softplus(),
        Activation.Sigmoid => new Sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}

/// <summary>Returns its input unchanged.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>tanh x.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>sin(ω₀·x); ω₀ = 1 by default (SIREN uses 30 in the first layer).</summary>
public sealed class Sin : Module
{
    /// <summary>Creates the activation with frequency <paramref name="omega"/>.</summary>
    public Sin(double omega = 1) => Omega = omega;

    /// <summary>The frequency ω₀.</summary>
    public double Omega { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => (Omega == 1 ? input : input.Mul(Omega)).Sin();

    /// <inheritdoc/>
    protected override string ExtraRepr() => Omega == 1 ? "" : $"omega={Omega}";
}

/// <summary>Exact GELU, x·Φ(x).</summary>
public sealed class Gelu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Gelu();
}

/// <summary>SiLU / swish, x·σ(x).</summary>
public sealed class Silu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Silu();
}

/// <summary>max(x, 0).</summary>
public sealed class Relu : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>ln(1 + eˣ), overflow-free.</summary>
public sealed class Softplus : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Softplus();
}

/// <summary>1/(1 + e⁻ˣ).</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}
