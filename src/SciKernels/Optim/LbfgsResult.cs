namespace SciKernels.Optim;

/// <summary>Why an L-BFGS step stopped.</summary>
public enum LbfgsStopReason
{
    /// <summary>max |gradient| fell to the gradient tolerance: converged.</summary>
    GradientTolerance,
    /// <summary>The loss, the step or the directional derivative changed less than the change tolerance: converged.</summary>
    ChangeTolerance,
    /// <summary>The iteration budget of this step was used up (call Step again to continue).</summary>
    MaxIterations,
    /// <summary>The function-evaluation budget of this step was used up.</summary>
    MaxEvaluations,
    /// <summary>The line search found no point with sufficient decrease; the parameters are left at the last good point.</summary>
    LineSearchFailed,
    /// <summary>The loss or gradient became NaN or infinite; the parameters are left at the last finite point.</summary>
    NonFinite,
}

/// <summary>Outcome of one <see cref="Lbfgs.Step(Func{Tensor})"/> call.</summary>
/// <param name="Loss">Loss at the returned parameters (always finite unless <see cref="InitialLoss"/> was not).</param>
/// <param name="InitialLoss">Loss at the start of the step.</param>
/// <param name="GradientMaxAbs">max |gradient| at the returned parameters.</param>
/// <param name="Iterations">Quasi-Newton iterations taken.</param>
/// <param name="FunctionEvaluations">Closure calls made.</param>
/// <param name="Reason">Why the step stopped.</param>
/// <param name="Message">A readable explanation.</param>
public sealed record LbfgsResult(
    double Loss,
    double InitialLoss,
    double GradientMaxAbs,
    int Iterations,
    int FunctionEvaluations,
    LbfgsStopReason Reason,
    string Message)
{
    /// <summary>True when a tolerance was met.</summary>
    public bool Converged => Reason is LbfgsStopReason.GradientTolerance or LbfgsStopReason.ChangeTolerance;

    /// <summary>True when the run was cut short by NaN or ∞.</summary>
    public bool HitNonFinite => Reason == LbfgsStopReason.NonFinite;
}
