using SciKernels.Autograd;
using SciKernels.Backends;

namespace SciKernels.Optim;

/// <summary>
/// Limited-memory BFGS with a strong-Wolfe line search (like <c>torch.optim.LBFGS</c>), for
/// full-batch problems such as PINNs. The parameters are handled as one flat float64 vector on the
/// host; the curvature history persists across <see cref="Step(Func{Tensor})"/> calls.
/// </summary>
/// <remarks>
/// The closure must recompute the loss and its gradients (call <c>Backward</c>) and return the loss;
/// gradients are zeroed before each call and each call runs in its own <see cref="TensorScope"/>. When
/// the loss or gradient turns NaN or ∞ the step stops, leaves the parameters at the last finite point
/// and reports <see cref="LbfgsStopReason.NonFinite"/>: NaN is never returned silently.
/// Work vectors are allocated once; the history grows to <see cref="HistorySize"/> pairs and is then reused.
/// </remarks>
public sealed class Lbfgs : Optimizer
{
    private const double C1 = 1e-4; // sufficient decrease (Armijo)
    private const double C2 = 0.9;  // curvature, the usual value for quasi-Newton methods
    private readonly int n;
    private readonly double[] x, g, d, xTrial, gTrial, gLo, gBest;
    private readonly List<double[]> sHist = new(), yHist = new();
    private readonly double[] rho, alpha;
    private double[] sNew, yNew;
    private int histCount, histHead;
    private double hDiag = 1;
    private bool started;
    private int evaluations;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">Parameters to optimize.</param>
    /// <param name="learningRate">Initial step length of the line search (1 for quasi-Newton).</param>
    /// <param name="maxIterations">Iterations per <see cref="Step(Func{Tensor})"/> call.</param>
    /// <param name="maxEvaluations">Closure calls per step (default 1.25 × maxIterations).</param>
    /// <param name="toleranceGrad">Stop when max |g| ≤ this.</param>
    /// <param name="toleranceChange">Stop when the loss, the step or the directional derivative changes less than this.</param>
    /// <param name="historySize">Number of curvature pairs kept.</param>
    /// <param name="maxLineSearchEvaluations">Closure calls allowed per line search.</param>
    public Lbfgs(IEnumerable<Tensor> parameters, double learningRate = 1, int maxIterations = 20, int? maxEvaluations = null,
        double toleranceGrad = 1e-7, double toleranceChange = 1e-9, int historySize = 100, int maxLineSearchEvaluations = 25)
        : base(parameters, learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(historySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineSearchEvaluations);
        if (!(toleranceGrad >= 0)) throw new ArgumentOutOfRangeException(nameof(toleranceGrad));
        if (!(toleranceChange >= 0)) throw new ArgumentOutOfRangeException(nameof(toleranceChange));
        MaxIterations = maxIterations;
        MaxEvaluations = maxEvaluations ?? maxIterations * 5 / 4;
        ToleranceGrad = toleranceGrad;
        ToleranceChange = toleranceChange;
        HistorySize = historySize;
        MaxLineSearchEvaluations = maxLineSearchEvaluations;
        long total = Parameters.Sum(p => p.NumElements);
        if (total > Array.MaxLength) throw new ArgumentException($"Lbfgs: {total} parameters do not fit one host vector");
        n = (int)total;
        x = new double[n];
        g = new double[n];
        d = new double[n];
        xTrial = new double[n];
        gTrial = new double[n];
        gLo = new double[n];
        gBest = new double[n];
        sNew = new double[n];
        yNew = new double[n];
        rho = new double[historySize];
        alpha = new double[historySize];
    }

    /// <summary>Iterations per step.</summary>
    public int MaxIterations { get; }

    /// <summary>Closure calls per step.</summary>
    public int MaxEvaluations { get; }

    /// <summary>Gradient tolerance (max-abs).</summary>
    public double ToleranceGrad { get; }

    /// <summary>Change tolerance for loss, step and directional derivative.</summary>
    public double ToleranceChange { get; }

    /// <summary>Curvature pairs kept.</summary>
    public int HistorySize { get; }

    /// <summary>Closure calls allowed per line search.</summary>
    public int MaxLineSearchEvaluations { get; }

    /// <summary>The result of the most recent step, or null before the first.</summary>
    public LbfgsResult? LastResult { get; private set; }

    /// <summary>L-BFGS needs a closure: use <see cref="Step(Func{Tensor})"/>.</summary>
    public override void Step() => throw new InvalidOperationException("Lbfgs: the step re-evaluates the loss; call Step(closure) with a closure that computes the loss, calls Backward and returns the loss");

    /// <summary>L-BFGS state is not checkpointed.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IReadOnlyList<(string Name, Tensor Tensor)> StateDict()
        => throw new NotSupportedException("Lbfgs: saving the curvature history is not supported; checkpoint the model and restart L-BFGS from it");

    /// <summary>Forgets the curvature history (e.g. after the loss function changed).</summary>
    public void ResetHistory()
    {
        histCount = 0;
        histHead = 0;
        hDiag = 1;
        started = false;
    }

    /// <summary>Runs up to <see cref="MaxIterations"/> quasi-Newton iterations.</summary>
    /// <param name="closure">Recomputes the loss, calls Backward on it and returns it.</param>
    /// <returns>What happened; see <see cref="LbfgsResult.Reason"/>.</returns>
    public LbfgsResult Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        evaluations = 0;
        Gather(x);
        double f = Evaluate(closure, g);
        double f0 = f;
        if (!IsFinite(f, g))
            return Finish(f, f0, 0, LbfgsStopReason.NonFinite, $"the loss or gradient is not finite at the starting point (loss {f})");
        if (MaxAbs(g) <= ToleranceGrad)
            return Finish(f, f0, 0, LbfgsStopReason.GradientTolerance, "the gradient is already below the tolerance");

        for (int iter = 1; ; iter++)
        {
            Direction();
            double t = started ? LearningRate : Math.Min(1, 1 / SumAbs(g)) * LearningRate;
            started = true;
            double gtd = Dot(g, d);
            if (gtd > -ToleranceChange)
                return Finish(f, f0, iter - 1, LbfgsStopReason.ChangeTolerance, $"the directional derivative {gtd:G3} is above -{ToleranceChange:G3}");

            var (tFound, fNew, sawNonFinite) = LineSearch(closure, f, gtd, t);
            if (tFound == 0)
            {
                Scatter(x); // back to the last good point
                return sawNonFinite
                    ? Finish(f, f0, iter, LbfgsStopReason.NonFinite, "the loss or gradient became non-finite along the search direction and no finite point with sufficient decrease was found")
                    : Finish(f, f0, iter, LbfgsStopReason.LineSearchFailed, "the line search found no point with sufficient decrease");
            }

            // s = t·d, y = g_new − g; x ← x + s
            double ys = 0, yy = 0, maxStep = 0;
            var s = sNew;
            var y = yNew;
            for (int i = 0; i < n; i++)
            {
                double si = tFound * d[i], yi = gBest[i] - g[i];
                s[i] = si;
                y[i] = yi;
                ys += yi * si;
                yy += yi * yi;
                maxStep = Math.Max(maxStep, Math.Abs(si));
                x[i] += si;
                g[i] = gBest[i];
            }
            if (ys > 1e-10) CommitHistory(ys, yy);
            Scatter(x);
            double fPrev = f;
            f = fNew;

            if (MaxAbs(g) <= ToleranceGrad)
                return Finish(f, f0, iter, LbfgsStopReason.GradientTolerance, "max |gradient| is below the tolerance");
            if (maxStep <= ToleranceChange)
                return Finish(f, f0, iter, LbfgsStopReason.ChangeTolerance, "the step is below the change tolerance");
            if (Math.Abs(f - fPrev) < ToleranceChange)
                return Finish(f, f0, iter, LbfgsStopReason.ChangeTolerance, "the loss changed less than the tolerance");
            if (evaluations >= MaxEvaluations)
                return Finish(f, f0, iter, LbfgsStopReason.MaxEvaluations, $"{evaluations} function evaluations");
            if (iter >= MaxIterations)
                return Finish(f, f0, iter, LbfgsStopReason.MaxIterations, $"{iter} iterations");
        }
    }

    private LbfgsResult Finish(double f, double f0, int iterations, LbfgsStopReason reason, string message)
    {
        StepCount++;
        LastResult = new LbfgsResult(f, f0, MaxAbs(g), iterations, evaluations, reason, message);
        return LastResult;
    }

    // ---- two-loop recursion: d = −H·g with H₀ = (sᵀy / yᵀy)·I from the newest pair ----

    private void Direction()
    {
        for (int i = 0; i < n; i++) d[i] = -g[i];
        for (int k = 0; k < histCount; k++)
        {
            int j = Slot(histCount - 1 - k); // newest first
            alpha[j] = rho[j] * Dot(sHist[j], d);
            Axpy(-alpha[j], yHist[j], d);
        }
        for (int i = 0; i < n; i++) d[i] *= hDiag;
        for (int k = 0; k < histCount; k++)
        {
            int j = Slot(k); // oldest first
            double beta = rho[j] * Dot(yHist[j], d);
            Axpy(alpha[j] - beta, sHist[j], d);
        }
    }

    private int Slot(int k) => (histHead + k) % HistorySize;

    /// <summary>
    /// Stores the pair in sNew/yNew as the newest one (replacing the oldest once the history is full) by
    /// swapping arrays, so only the first <see cref="HistorySize"/> commits allocate.
    /// </summary>
    private void CommitHistory(double ys, double yy)
    {
        int j = Slot(histCount == HistorySize ? 0 : histCount);
        if (sHist.Count <= j)
        {
            sHist.Add(sNew);
            yHist.Add(yNew);
            sNew = new double[n];
            yNew = new double[n];
        }
        else
        {
            (sHist[j], sNew) = (sNew, sHist[j]);
            (yHist[j], yNew) = (yNew, yHist[j]);
        }
        rho[j] = 1 / ys;
        if (histCount == HistorySize) histHead = (histHead + 1) % HistorySize;
        else histCount++;
        hDiag = ys / yy;
    }

    // ---- strong-Wolfe line search (Nocedal & Wright, algorithms 3.5 and 3.6) ----

    /// <summary>
    /// Finds t with f(x+td) ≤ f + c₁·t·gtd and |∇f(x+td)·d| ≤ c₂·|gtd|; returns t = 0 when no point
    /// with sufficient decrease was found. The gradient at the chosen point is left in gBest.
    /// </summary>
    private (double T, double F, bool SawNonFinite) LineSearch(Func<Tensor> closure, double f0, double gtd0, double t)
    {
        int budget = MaxLineSearchEvaluations;
        bool sawNonFinite = false;
        double dMax = MaxAbs(d);
        double tPrev = 0, fPrev = f0, gtdPrev = gtd0;
        Array.Copy(g, gLo, n); // gradient at tPrev
        for (int i = 0; budget > 0; i++)
        {
            var (ft, gtdT, finite) = Probe(closure, t, ref budget);
            if (!finite)
            {
                sawNonFinite = true;
                return Zoom(closure, f0, gtd0, tPrev, fPrev, gtdPrev, t, double.PositiveInfinity, double.NaN, ref budget, ref sawNonFinite, dMax);
            }
            if (ft > f0 + C1 * t * gtd0 || (i > 0 && ft >= fPrev))
                return Zoom(closure, f0, gtd0, tPrev, fPrev, gtdPrev, t, ft, gtdT, ref budget, ref sawNonFinite, dMax);
            if (Math.Abs(gtdT) <= -C2 * gtd0)
            {
                Array.Copy(gTrial, gBest, n);
                return (t, ft, sawNonFinite);
            }
            if (gtdT >= 0)
            {
                // Bracket with the current point as the low end.
                double tHi = tPrev, fHi = fPrev, gtdHi = gtdPrev;
                Array.Copy(gTrial, gLo, n);
                return ZoomFromLow(closure, f0, gtd0, t, ft, gtdT, tHi, fHi, gtdHi, ref budget, ref sawNonFinite, dMax);
            }
            // Expand: cubic extrapolation, kept within [t + 0.01(t − tPrev), 10t].
            double lo = t + 0.01 * (t - tPrev), hi = 10 * t;
            double next = CubicMinimizer(tPrev, fPrev, gtdPrev, t, ft, gtdT, lo, hi);
            tPrev = t;
            fPrev = ft;
            gtdPrev = gtdT;
            Array.Copy(gTrial, gLo, n);
            t = next;
        }
        // Budget exhausted while still expanding: the last accepted point has sufficient decrease.
        Array.Copy(gLo, gBest, n);
        return (tPrev, fPrev, sawNonFinite);
    }

    private (double T, double F, bool SawNonFinite) Zoom(Func<Tensor> closure, double f0, double gtd0,
        double tLo, double fLo, double gtdLo, double tHi, double fHi, double gtdHi, ref int budget, ref bool sawNonFinite, double dMax)
        => ZoomFromLow(closure, f0, gtd0, tLo, fLo, gtdLo, tHi, fHi, gtdHi, ref budget, ref sawNonFinite, dMax);

    /// <summary>Zoom on [tLo, tHi] (either order); gLo holds the gradient at tLo.</summary>
    private (double T, double F, bool SawNonFinite) ZoomFromLow(Func<Tensor> closure, double f0, double gtd0,
        double tLo, double fLo, double gtdLo, double tHi, double fHi, double gtdHi, ref int budget, ref bool sawNonFinite, double dMax)
    {
        while (budget > 0 && Math.Abs(tHi - tLo) * dMax >= ToleranceChange)
        {
            double a = Math.Min(tLo, tHi), b = Math.Max(tLo, tHi), w = b - a;
            double t = double.IsFinite(fHi) && double.IsFinite(gtdHi)
                ? CubicMinimizer(tLo, fLo, gtdLo, tHi, fHi, gtdHi, a, b)
                : (a + b) / 2;
            // Safeguard: stay at least 10% of the interval away from its ends so it keeps shrinking.
            if (t < a + 0.1 * w || t > b - 0.1 * w) t = (a + b) / 2;
            var (ft, gtdT, finite) = Probe(closure, t, ref budget);
            if (!finite)
            {
                sawNonFinite = true;
                tHi = t;
                fHi = double.PositiveInfinity;
                gtdHi = double.NaN;
                continue;
            }
            if (ft > f0 + C1 * t * gtd0 || ft >= fLo)
            {
                tHi = t;
                fHi = ft;
                gtdHi = gtdT;
                continue;
            }
            if (Math.Abs(gtdT) <= -C2 * gtd0)
            {
                Array.Copy(gTrial, gBest, n);
                return (t, ft, sawNonFinite);
            }
            if (gtdT * (tHi - tLo) >= 0)
            {
                tHi = tLo;
                fHi = fLo;
                gtdHi = gtdLo;
            }
            tLo = t;
            fLo = ft;
            gtdLo = gtdT;
            Array.Copy(gTrial, gLo, n);
        }
        // Out of budget or the bracket collapsed: take the best point with sufficient decrease (tLo; 0 = none).
        Array.Copy(gLo, gBest, n);
        return (tLo, fLo, sawNonFinite);
    }

    /// <summary>Evaluates f and ∇f·d at x + t·d; the gradient is left in gTrial.</summary>
    private (double F, double Gtd, bool Finite) Probe(Func<Tensor> closure, double t, ref int budget)
    {
        budget--;
        for (int i = 0; i < n; i++) xTrial[i] = x[i] + t * d[i];
        Scatter(xTrial);
        double f = Evaluate(closure, gTrial);
        bool finite = IsFinite(f, gTrial);
        return (f, finite ? Dot(gTrial, d) : double.NaN, finite);
    }

    /// <summary>
    /// Minimizer of the cubic through (t1, f1, f1′) and (t2, f2, f2′), clamped to [lo, hi]; the midpoint
    /// of [lo, hi] when the cubic has no minimizer.
    /// </summary>
    internal static double CubicMinimizer(double t1, double f1, double g1, double t2, double f2, double g2, double lo, double hi)
    {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2);
        double disc = d1 * d1 - g1 * g2;
        if (disc >= 0 && t1 != t2)
        {
            double d2 = Math.Sign(t2 - t1) * Math.Sqrt(disc);
            double denom = g2 - g1 + 2 * d2;
            if (denom != 0)
            {
                double t = t2 - (t2 - t1) * (g2 + d2 - d1) / denom;
                if (double.IsFinite(t)) return Math.Clamp(t, lo, hi);
            }
        }
        return (lo + hi) / 2;
    }

    // ---- closure evaluation and flat host vectors ----

    private double Evaluate(Func<Tensor> closure, double[] gradOut)
    {
        evaluations++;
        ZeroGrad();
        double f;
        using (GradMode.EnableGrad())
        using (TensorScope.Begin())
        {
            var loss = closure() ?? throw new InvalidOperationException("Lbfgs: the closure returned null");
            if (loss.NumElements != 1) throw new InvalidOperationException($"Lbfgs: the closure must return a scalar loss, got shape {StateIO.Shape(loss)}");
            f = loss.Item();
            int offset = 0;
            foreach (var p in Parameters)
            {
                int len = (int)p.NumElements;
                var dst = gradOut.AsSpan(offset, len);
                if (p.Grad is not { } gp) dst.Clear();
                else
                {
                    FusedPath.CheckGrad(p, gp, "Lbfgs");
                    Read(gp, dst);
                }
                offset += len;
            }
        }
        return f;
    }

    private void Gather(double[] into)
    {
        int offset = 0;
        foreach (var p in Parameters)
        {
            int len = (int)p.NumElements;
            Read(p, into.AsSpan(offset, len));
            offset += len;
        }
    }

    private void Scatter(double[] from)
    {
        using var _ = GradMode.NoGrad();
        int offset = 0;
        foreach (var p in Parameters)
        {
            int len = (int)p.NumElements;
            var src = from.AsSpan(offset, len);
            if (HostMemory.IsDenseFloat(p))
            {
                if (p.DType == DType.Float64) src.CopyTo(p.AsSpan<double>());
                else
                {
                    var dst = p.AsSpan<float>();
                    for (int i = 0; i < len; i++) dst[i] = (float)src[i];
                }
                p.BumpVersion();
            }
            else
            {
                using var t = Tensor.FromDoubles(src, p.Shape, p.DType, p.Device);
                p.CopyFrom(t);
            }
            offset += len;
        }
    }

    private static void Read(Tensor t, Span<double> dst)
    {
        if (HostMemory.IsDenseFloat(t))
        {
            if (t.DType == DType.Float64) t.AsSpan<double>().CopyTo(dst);
            else
            {
                var src = t.AsSpan<float>();
                for (int i = 0; i < dst.Length; i++) dst[i] = src[i];
            }
        }
        else t.ToArray<double>().CopyTo(dst);
    }

    private static bool IsFinite(double f, double[] v)
    {
        if (!double.IsFinite(f)) return false;
        foreach (var e in v)
            if (!double.IsFinite(e)) return false;
        return true;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double alpha, double[] xv, double[] yv)
    {
        for (int i = 0; i < yv.Length; i++) yv[i] += alpha * xv[i];
    }

    private static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (var e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }

    private static double SumAbs(double[] v)
    {
        double s = 0;
        foreach (var e in v) s += Math.Abs(e);
        return s;
    }
}
