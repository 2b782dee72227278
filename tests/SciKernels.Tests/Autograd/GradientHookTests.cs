using FsCheck.Xunit;
using SciKernels.Autograd;
using SciKernels.Random;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>
/// <see cref="GradientHooks"/>: during Backward each leaf is reported once, when its gradient is final (what the
/// callback sees is what Grad holds after the pass), later-used leaves first; outside the scope nothing is reported.
/// </summary>
public sealed class GradientHookTests
{
    [Property(MaxTest = 40)]
    public bool EachLeafIsReportedOnceWithItsFinalGradientInReverseOrderOfUse(int seed, byte depthByte)
    {
        var gen = new Generator((ulong)(uint)seed);
        int depth = 1 + depthByte % 4;
        var x = Tensor.Randn([3, 4], gen);
        // A chain of layers; the first weight is used again at the end, so its gradient has two contributions.
        var weights = Enumerable.Range(0, depth).Select(_ => Tensor.Randn([4, 4], gen).RequiresGrad_()).ToList();
        var seen = new List<(Tensor Leaf, float[] Grad)>();
        Tensor h = x;
        foreach (var w in weights) h = h.MatMul(w).Tanh();
        var loss = h.MatMul(weights[0]).Square().Sum();
        using (GradientHooks.OnLeafGradientReady(t => seen.Add((t, t.Grad!.ToArray<float>()))))
            loss.Backward(retainGraph: true);
        if (seen.Count != depth || seen.Select(s => s.Leaf).Distinct().Count() != depth) return false;
        if (seen.Any(s => !s.Grad.SequenceEqual(s.Leaf.Grad!.ToArray<float>()))) return false;
        // weights[1..] are finished last-used first; weights[0] (used first and last) comes last.
        var order = seen.Select(s => weights.IndexOf(s.Leaf)).ToArray();
        if (!order.SequenceEqual(Enumerable.Range(1, depth - 1).Reverse().Append(0))) return false;
        seen.Clear();
        loss.Backward(); // no scope: no callback
        return seen.Count == 0;
    }

    [Fact]
    public void ScopesNestAndRestoreThePreviousCallback()
    {
        var a = Tensor.Ones([2]).RequiresGrad_();
        int outer = 0, inner = 0;
        using (GradientHooks.OnLeafGradientReady(_ => outer++))
        {
            using (GradientHooks.OnLeafGradientReady(_ => inner++)) a.Mul(2).Sum().Backward();
            a.Mul(3).Sum().Backward();
        }
        a.Mul(4).Sum().Backward();
        Assert.Equal((1, 1), (outer, inner));
    }
}
