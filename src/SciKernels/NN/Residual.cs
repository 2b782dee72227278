namespace SciKernels.NN;

/// <summary>
/// x + f(x), or P(x) + f(x) with a projection P when f changes the width (registered as
/// <c>body</c> and <c>projection</c>).
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="body"/> with a skip connection.</summary>
    /// <param name="body">The residual branch f.</param>
    /// <param name="projection">Optional map applied to the skip path (e.g. a <see cref="Linear"/> without bias).</param>
    /// <param name="scale">Factor on the residual branch (e.g. 1/depth for deep stacks).</param>
    public Residual(Module body, Module? projection = null, double scale = 1)
    {
        Body = RegisterModule("body", body);
        if (projection is not null) Projection = RegisterModule("projection", projection);
        Scale = scale;
    }

    /// <summary>The residual branch.</summary>
    public Module Body { get; }

    /// <summary>The skip-path projection, or null for the identity.</summary>
    public Module? Projection { get; }

    /// <summary>Factor on the residual branch.</summary>
    public double Scale { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var skip = Projection is null ? input : Projection.Forward(input);
        var f = Body.Forward(input);
        return skip.Add(Scale == 1 ? f : f.Mul(Scale));
    }
}
