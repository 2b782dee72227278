using SciKernels.NN;

namespace SciKernels.Pinn;

/// <summary>
/// One dense layer for <see cref="TaylorMlp.Forward(IReadOnlyList{TaylorLayer}, Tensor, TaylorRequest)"/>:
/// a = σ(h·Wᵀ + b), with the weights given as tensors (e.g. to differentiate with respect to them directly).
/// </summary>
/// <param name="Weight">The [out, in] weight.</param>
/// <param name="Bias">The [out] bias, or null.</param>
/// <param name="Activation">σ (Identity for a linear output layer).</param>
/// <param name="Omega">Frequency ω of <see cref="Activation.Sin"/> (sin(ω·z)); ignored otherwise.</param>
public readonly record struct TaylorLayer(Tensor Weight, Tensor? Bias, Activation Activation, double Omega = 1);
