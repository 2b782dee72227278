using System.Runtime.CompilerServices;
using SciKernels.Backends;

namespace SciKernels.Equivariant;

/// <summary>
/// The flattened coupling (<see cref="TensorProductCoupling"/>) a device backend's
/// <see cref="ITensorProductKernels"/> reads, made once per tensor product: backends key their device
/// copies on this one instance, so the table goes to each device once.
/// </summary>
internal static class TensorProductCouplings
{
    private static readonly ConditionalWeakTable<ChannelwiseTensorProduct, TensorProductCoupling> Cache = new();

    public static TensorProductCoupling Of(ChannelwiseTensorProduct tp) => Cache.GetValue(tp, static tp =>
        new TensorProductCoupling(tp.Output.Dim, tp.WeightWidth, tp.ShDim, tp.Input.Dim, Array.ConvertAll(tp.Plans, p =>
            new TensorProductCouplingPath(p.InOffset, p.Mul, p.InDegree, p.ShOffset, p.ShWidth, p.OutOffset, p.OutDegree, p.WOffset,
                p.PairM2, p.PairM3, p.PairStart, p.EntryM1, p.EntryCoef))));
}
