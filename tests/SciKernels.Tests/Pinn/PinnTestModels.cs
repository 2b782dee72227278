using SciKernels.NN;
using SciKernels.Pinn;

namespace SciKernels.Tests.Pinn;

/// <summary>A "network" that is a closed-form function of the inputs: exact derivatives for residual tests.</summary>
internal sealed class ExactField(Func<Tensor, Tensor> f) : Module
{
    public override Tensor Forward(Tensor input) => f(input);
}

/// <summary>tanh network whose weights are passed in (so GradCheck can perturb them).</summary>
internal sealed class GivenWeightsNet(Tensor w1, Tensor b1, Tensor w2, Tensor b2) : Module
{
    public override Tensor Forward(Tensor input) => Tensor.Linear(Tensor.Linear(input, w1, b1).Tanh(), w2, b2);
}

internal static class PinnTestModels
{
    public static PinnModel Exact(Func<Tensor, Tensor> f, string[] inputs, string[] outputs)
        => new(new ExactField(f), inputs, outputs);

    public static Tensor Col(this Tensor x, int k) => x.Narrow(1, k, 1);
}
