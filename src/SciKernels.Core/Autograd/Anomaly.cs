namespace SciKernels.Autograd;

/// <summary>Thrown in anomaly-detection mode when an operation first produces NaN or Inf.</summary>
public sealed class AnomalyException : ArithmeticException
{
    /// <summary>Creates the exception for operation <paramref name="op"/>.</summary>
    public AnomalyException(string op, string message) : base(message) => Op = op;

    /// <summary>The operation whose result held the first non-finite value.</summary>
    public string Op { get; }
}

internal static class Anomaly
{
    public static void Check(Tensor t, string op)
    {
        if (!t.DType.IsFloatingPoint() || t.NumElements == 0) return;
        using var _ = GradMode.NoGrad();
        var values = t.ToArray<double>();
        for (long i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new AnomalyException(op, $"anomaly: {op} produced {values[i]} at flat index {i} of its {Tensor.ShapeString(t.Shape)} {t.DType.Name()} result");
        }
    }
}
