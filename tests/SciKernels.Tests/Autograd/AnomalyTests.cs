using SciKernels.Autograd;
using Xunit;

namespace SciKernels.Tests.Autograd;

/// <summary>Anomaly mode names the operation that first produced NaN or Inf, forward or backward.</summary>
public class AnomalyTests
{
    private static Tensor Vec(params double[] v) => Tensor.FromArray(v, v.Length);

    [Fact]
    public void LogOfNegativeIsReportedAsLog()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(1, -1).RequiresGrad_();
        using var _ = GradMode.DetectAnomaly();
        var e = Assert.Throws<AnomalyException>(() => x.Mul(2.0).Log().Sum());
        Assert.Equal("Log", e.Op);
        Assert.Contains("Log", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void WithoutAnomalyModeNaNPropagatesSilently()
    {
        using var scope = TensorScope.Begin();
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
        Assert.True(double.IsNaN(Vec(-1).Log().Item()));
    }

    [Fact]
    public void ExpOverflowIsReportedAsExp()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.DetectAnomaly();
        var e = Assert.Throws<AnomalyException>(() => Vec(1, 1000).Exp());
        Assert.Equal("Exp", e.Op);
        Assert.Contains("∞", e.Message.Replace("Infinity", "∞"));
    }

    [Fact]
    public void DivisionByZeroIsReportedAsDiv()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.DetectAnomaly();
        var e = Assert.Throws<AnomalyException>(() => Vec(1, 2).Div(Vec(1, 0)));
        Assert.Equal("Div", e.Op);
    }

    [Fact]
    public void AnomalyModeIsScopedAndNests()
    {
        using (GradMode.DetectAnomaly())
        {
            using (GradMode.DetectAnomaly()) Assert.True(GradMode.IsAnomalyDetectionEnabled);
            Assert.True(GradMode.IsAnomalyDetectionEnabled);
        }
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    /// <summary>
    /// √x at 0 is finite forward; the NaN/Inf appears only in its backward (g / (2√x)). The report
    /// must name Sqrt's backward, the op the user wrote — not an internal op of the gradient rule.
    /// </summary>
    [Fact]
    public void InfArisingOnlyInSqrtBackwardNamesSqrt()
    {
        using var scope = TensorScope.Begin();
        var x = Vec(0, 4).RequiresGrad_();
        using var _ = GradMode.DetectAnomaly();
        var loss = x.Sqrt().Sum();
        var e = Assert.Throws<AnomalyException>(() => loss.Backward());
        Assert.Contains("Sqrt", e.Op);
        Assert.Contains("backward", e.Message);
        Assert.Contains("Sqrt", e.Message);
    }
}
