using ILGPU;
using SciKernels.Backends;
using SciKernels.Kernels.Functors;

namespace SciKernels.Kernels.Graph;

/// <summary>
/// The four targets of the fused channel-wise tensor-product convolution (see
/// <see cref="ITensorProductKernels"/>): out_i[p, m₃, c] = Σ_{e into i} w_e[p, c] Σ_{m₂} s_e[p, m₂, m₃]
/// h_j[p, m₂, c] with s_e[p, m₂, m₃] = Σ_{m₁} C[m₁, m₂, m₃] Y_e[m₁], and its gradients. The coupling
/// is the int table of <see cref="TensorProductCoupling"/> plus its coefficients as T. Each thread owns
/// one output element (the ∂/∂Y kernel: one edge row) and sums in exactly the CPU kernels' order —
/// receivers in CSR order, senders through the sender permutation, paths and coupled pairs in table
/// order — without atomics (PoCL has none for floats), so the results are deterministic and, where no
/// FMA contraction happens, equal to the CPU's bit for bit. Per-edge tensors are never stored: the
/// few coupled harmonics s are recomputed per thread from Y (cheap next to the channel loads).
/// </summary>
public static class TensorProductKernels
{
    private const int H = TensorProductCoupling.HeaderInts, PI = TensorProductCoupling.PathInts, QI = TensorProductCoupling.PairInts;

    /// <summary>s[q] = Σ_t C_t Y[ShOffset + m₁(t)] over the entries of pair q, summed from zero in entry order.</summary>
    private static T Couple<T, TA>(ArrayView<int> plan, ArrayView<T> coef, ArrayView<T> y, int yRow, int pr, int entryBase)
        where T : unmanaged where TA : struct, IArith<T>
    {
        T s = TA.Zero;
        int end = plan[pr + 3];
        for (int t = plan[pr + 2]; t < end; t++) s = TA.Add(s, TA.Mul(coef[t], y[yRow + plan[entryBase + t]]));
        return s;
    }

    /// <summary>
    /// The convolution: r[i, col] for the path p whose output block holds col (m₃, c) =
    /// Σ_{k ∈ row i} Σ_{pairs q of p with m₃} s_k[q]·(w[k, c]·h[sender(k), m₂(q), c]).
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="w">Edge weights [E, W].</param>
    /// <param name="y">Edge harmonics [E, Sh].</param>
    /// <param name="h">Node features [N, In].</param>
    /// <param name="r">Output [N, Out].</param>
    /// <param name="rowOffsets">Receiver offsets [N + 1].</param>
    /// <param name="senders">Sender of each edge [E].</param>
    /// <param name="unused">Not read (keeps the four kernels' signatures alike).</param>
    /// <param name="plan">The coupling table.</param>
    /// <param name="coef">The coupling coefficients.</param>
    public static void Out<T, TArith>(ArrayView<T> w, ArrayView<T> y, ArrayView<T> h, ArrayView<T> r,
        ArrayView<long> rowOffsets, ArrayView<long> senders, ArrayView<long> unused, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        int n = r.IntLength, paths = plan[0], pairBase = plan[1], entryBase = plan[2];
        int outDim = plan[3], wDim = plan[4], shDim = plan[5], inDim = plan[6];
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int i = l / outDim, col = l % outDim;
            int pr = -1;
            for (int p = 0; p < paths && pr < 0; p++)
            {
                int o = plan[H + PI * p + 5];
                if (col >= o && col < o + plan[H + PI * p + 6] * plan[H + PI * p + 1]) pr = H + PI * p;
            }
            T acc = TArith.Zero;
            if (pr >= 0)
            {
                int mul = plan[pr + 1], rel = col - plan[pr + 5];
                int m3 = rel / mul, c = rel % mul;
                int inCol = plan[pr] + c, wCol = plan[pr + 7] + c, shOff = plan[pr + 3];
                int q0 = plan[pr + 8], q1 = plan[pr + 9];
                int end = (int)rowOffsets[i + 1];
                for (int k = (int)rowOffsets[i]; k < end; k++)
                {
                    T wk = w[k * wDim + wCol];
                    int hRow = (int)senders[k] * inDim + inCol;
                    for (int q = q0; q < q1; q++)
                    {
                        int qr = pairBase + QI * q;
                        if (plan[qr + 1] != m3) continue;
                        T s = Couple<T, TArith>(plan, coef, y, k * shDim + shOff, qr, entryBase);
                        acc = TArith.Add(acc, TArith.Mul(s, TArith.Mul(wk, h[hRow + plan[qr] * mul])));
                    }
                }
            }
            r[l] = acc;
        }
    }

    /// <summary>
    /// ∂/∂h: r[j, col] for every path p reading col (m₂, c) =
    /// Σ_{k sent by j} Σ_p Σ_{pairs q of p with m₂} s_k[q]·(w[k, c]·g[receiver(k), m₃(q), c]).
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="g">Output cotangent [N, Out].</param>
    /// <param name="w">Edge weights [E, W].</param>
    /// <param name="y">Edge harmonics [E, Sh].</param>
    /// <param name="r">Result [N, In].</param>
    /// <param name="senderOffsets">Sender offsets [N + 1].</param>
    /// <param name="senderPerm">Edges grouped by sender [E].</param>
    /// <param name="receivers">Receiver of each edge [E].</param>
    /// <param name="plan">The coupling table.</param>
    /// <param name="coef">The coupling coefficients.</param>
    public static void Nodes<T, TArith>(ArrayView<T> g, ArrayView<T> w, ArrayView<T> y, ArrayView<T> r,
        ArrayView<long> senderOffsets, ArrayView<long> senderPerm, ArrayView<long> receivers, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        int n = r.IntLength, paths = plan[0], pairBase = plan[1], entryBase = plan[2];
        int outDim = plan[3], wDim = plan[4], shDim = plan[5], inDim = plan[6];
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int j = l / inDim, col = l % inDim;
            T acc = TArith.Zero;
            int end = (int)senderOffsets[j + 1];
            for (int t = (int)senderOffsets[j]; t < end; t++)
            {
                int k = (int)senderPerm[t];
                int gRow = (int)receivers[k] * outDim;
                for (int p = 0; p < paths; p++)
                {
                    int pr = H + PI * p;
                    int mul = plan[pr + 1], rel = col - plan[pr];
                    if (rel < 0 || rel >= plan[pr + 2] * mul) continue;
                    int m2 = rel / mul, c = rel % mul;
                    T wk = w[k * wDim + plan[pr + 7] + c];
                    int gCol = gRow + plan[pr + 5] + c;
                    int q1 = plan[pr + 9];
                    for (int q = plan[pr + 8]; q < q1; q++)
                    {
                        int qr = pairBase + QI * q;
                        if (plan[qr] != m2) continue;
                        T s = Couple<T, TArith>(plan, coef, y, k * shDim + plan[pr + 3], qr, entryBase);
                        acc = TArith.Add(acc, TArith.Mul(s, TArith.Mul(wk, g[gCol + plan[qr + 1] * mul])));
                    }
                }
            }
            r[l] = acc;
        }
    }

    /// <summary>
    /// ∂/∂w: r[k, col] for the path p owning weight column col (c) =
    /// Σ_{m₂} (Σ_{pairs q with m₂} s_k[q]·g[receiver(k), m₃(q), c])·h[sender(k), m₂, c].
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="g">Output cotangent [N, Out].</param>
    /// <param name="y">Edge harmonics [E, Sh].</param>
    /// <param name="h">Node features [N, In].</param>
    /// <param name="r">Result [E, W].</param>
    /// <param name="receivers">Receiver of each edge [E].</param>
    /// <param name="senders">Sender of each edge [E].</param>
    /// <param name="unused">Not read.</param>
    /// <param name="plan">The coupling table.</param>
    /// <param name="coef">The coupling coefficients.</param>
    public static void Weights<T, TArith>(ArrayView<T> g, ArrayView<T> y, ArrayView<T> h, ArrayView<T> r,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<long> unused, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        int n = r.IntLength, paths = plan[0], pairBase = plan[1], entryBase = plan[2];
        int outDim = plan[3], wDim = plan[4], shDim = plan[5], inDim = plan[6];
        int stride = Grid.DimX * Group.DimX;
        for (int l = Grid.GlobalIndex.X; l < n; l += stride)
        {
            int k = l / wDim, col = l % wDim;
            int pr = -1;
            for (int p = 0; p < paths && pr < 0; p++)
            {
                int o = plan[H + PI * p + 7];
                if (col >= o && col < o + plan[H + PI * p + 1]) pr = H + PI * p;
            }
            T d = TArith.Zero;
            if (pr >= 0)
            {
                int mul = plan[pr + 1], c = col - plan[pr + 7];
                int gCol = (int)receivers[k] * outDim + plan[pr + 5] + c;
                int hCol = (int)senders[k] * inDim + plan[pr] + c;
                int yRow = k * shDim + plan[pr + 3];
                int q = plan[pr + 8], q1 = plan[pr + 9];
                // pairs are sorted by m₂: one partial sum over m₃ per m₂, then times h (the CPU's grouping)
                while (q < q1)
                {
                    int m2 = plan[pairBase + QI * q];
                    T tmp = TArith.Zero;
                    for (; q < q1 && plan[pairBase + QI * q] == m2; q++)
                    {
                        int qr = pairBase + QI * q;
                        T s = Couple<T, TArith>(plan, coef, y, yRow, qr, entryBase);
                        tmp = TArith.Add(tmp, TArith.Mul(s, g[gCol + plan[qr + 1] * mul]));
                    }
                    d = TArith.Add(d, TArith.Mul(tmp, h[hCol + m2 * mul]));
                }
            }
            r[l] = d;
        }
    }

    /// <summary>
    /// ∂/∂Y, one thread per edge row: r[k, ShOffset(p) + m₁] += C_t·Σ_c (w[k, c]·g[receiver(k), m₃, c])·h[sender(k), m₂, c]
    /// over paths, pairs and entries in table order, starting from a zero row. The channel sum runs
    /// in order (the CPU's SIMD dot product sums its lanes first: equal up to rounding).
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <typeparam name="TArith">Arithmetic of T.</typeparam>
    /// <param name="g">Output cotangent [N, Out].</param>
    /// <param name="w">Edge weights [E, W].</param>
    /// <param name="h">Node features [N, In].</param>
    /// <param name="r">Result [E, Sh].</param>
    /// <param name="receivers">Receiver of each edge [E].</param>
    /// <param name="senders">Sender of each edge [E].</param>
    /// <param name="unused">Not read.</param>
    /// <param name="plan">The coupling table.</param>
    /// <param name="coef">The coupling coefficients.</param>
    public static void Sh<T, TArith>(ArrayView<T> g, ArrayView<T> w, ArrayView<T> h, ArrayView<T> r,
        ArrayView<long> receivers, ArrayView<long> senders, ArrayView<long> unused, ArrayView<int> plan, ArrayView<T> coef)
        where T : unmanaged where TArith : struct, IArith<T>
    {
        int paths = plan[0], pairBase = plan[1], entryBase = plan[2];
        int outDim = plan[3], wDim = plan[4], shDim = plan[5], inDim = plan[6];
        int edges = r.IntLength / shDim;
        int stride = Grid.DimX * Group.DimX;
        for (int k = Grid.GlobalIndex.X; k < edges; k += stride)
        {
            int row = k * shDim;
            for (int m = 0; m < shDim; m++) r[row + m] = TArith.Zero;
            int gRow = (int)receivers[k] * outDim, hRow = (int)senders[k] * inDim, wRow = k * wDim;
            for (int p = 0; p < paths; p++)
            {
                int pr = H + PI * p;
                int mul = plan[pr + 1], q1 = plan[pr + 9];
                int gBase = gRow + plan[pr + 5], hBase = hRow + plan[pr], wBase = wRow + plan[pr + 7], d = row + plan[pr + 3];
                for (int q = plan[pr + 8]; q < q1; q++)
                {
                    int qr = pairBase + QI * q;
                    int gq = gBase + plan[qr + 1] * mul, hq = hBase + plan[qr] * mul;
                    T dot = TArith.Zero;
                    for (int c = 0; c < mul; c++) dot = TArith.Add(dot, TArith.Mul(TArith.Mul(w[wBase + c], g[gq + c]), h[hq + c]));
                    int e1 = plan[qr + 3];
                    for (int t = plan[qr + 2]; t < e1; t++)
                    {
                        int at = d + plan[entryBase + t];
                        r[at] = TArith.Add(r[at], TArith.Mul(coef[t], dot));
                    }
                }
            }
        }
    }
}
