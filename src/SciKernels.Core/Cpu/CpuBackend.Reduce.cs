using System.Numerics;
using System.Numerics.Tensors;
using SciKernels.Backends;

namespace SciKernels.Cpu;

public sealed unsafe partial class CpuBackend
{
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int outer, int n, int inner, Tensor y)
    {
        if (x.DType == DType.Float32) ReduceT(op, Ptr<float>(x), outer, n, inner, Ptr<float>(y));
        else ReduceT(op, Ptr<double>(x), outer, n, inner, Ptr<double>(y));
        GC.KeepAlive(x);
        GC.KeepAlive(y);
    }

    private static T Combine<T>(ReduceOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        ReduceOp.Sum => a + b,
        ReduceOp.Max => T.Max(a, b),
        _ => T.Min(a, b),
    };

    private static T ReduceSpan<T>(ReduceOp op, ReadOnlySpan<T> s) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        // + 0 turns a -0 sum into +0 (TensorPrimitives returns -0 for some short spans of -0): every
        // CPU path and device starts its accumulator at +0. No other value changes.
        ReduceOp.Sum => TensorPrimitives.Sum(s) + T.Zero,
        ReduceOp.Max => TensorPrimitives.Max(s),
        _ => TensorPrimitives.Min(s),
    };

    private static void CombineInto<T>(ReduceOp op, Span<T> acc, ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case ReduceOp.Sum: TensorPrimitives.Add(acc, row, acc); break;
            case ReduceOp.Max: TensorPrimitives.Max(acc, row, acc); break;
            default: TensorPrimitives.Min(acc, row, acc); break;
        }
    }

    /// <summary>
    /// Seeds a row accumulator with the first row. A sum adds it to +0, like every other sum here
    /// (TensorPrimitives.Sum and the device kernels start from +0): a column of -0 sums to +0.
    /// </summary>
    private static void Start<T>(ReduceOp op, ReadOnlySpan<T> row, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (op == ReduceOp.Sum) TensorPrimitives.Add(row, T.Zero, acc);
        else row.CopyTo(acc);
    }

    private static void ReduceT<T>(ReduceOp op, T* x, int outer, int n, int inner, T* y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long grain = CpuParallel.ElementGrain;
        if ((long)outer * inner == 0) return;
        if (n == 0)
        {
            new Span<T>(y, checked(outer * inner)).Clear();
            return;
        }
        if (inner == 1)
        {
            if (n <= grain)
            {
                // Many short rows: one row per element of y.
                CpuParallel.For(outer, Math.Max(1, grain / n), (o0, on) =>
                {
                    for (long o = o0; o < o0 + on; o++) y[o] = ReduceSpan(op, new ReadOnlySpan<T>(x + o * n, n));
                });
                return;
            }
            // Long rows: fixed blocks reduced in parallel, partials combined in block order.
            long blocks = (n + grain - 1) / grain;
            var partial = new T[outer * blocks];
            fixed (T* pp = partial)
            {
                T* p = pp;
                CpuParallel.For(outer * blocks, 1, (j0, jn) =>
                {
                    for (long j = j0; j < j0 + jn; j++)
                    {
                        long o = j / blocks, blk = j % blocks;
                        long s = blk * grain;
                        p[j] = ReduceSpan(op, new ReadOnlySpan<T>(x + o * n + s, (int)Math.Min(grain, n - s)));
                    }
                });
            }
            for (long o = 0; o < outer; o++)
            {
                T acc = partial[o * blocks];
                for (long blk = 1; blk < blocks; blk++) acc = Combine(op, acc, partial[o * blocks + blk]);
                y[o] = acc;
            }
            return;
        }

        // inner > 1: accumulate whole rows of length inner (column chunks run in parallel).
        long colGrain = Math.Max(256, grain / Math.Max(1, n));
        long colChunks = (inner + colGrain - 1) / colGrain;
        long tasks = outer * colChunks;
        long rowsPerBlock = Math.Max(1, grain / inner);
        long nBlocks = (n + rowsPerBlock - 1) / rowsPerBlock;
        if (tasks == 1 && nBlocks > 2)
        {
            // One output row and many input rows: reduce fixed row blocks into partial rows, then combine them in order.
            var partial = new T[nBlocks * inner];
            fixed (T* pp = partial)
            {
                T* p = pp;
                CpuParallel.For(nBlocks, 1, (b0, bn) =>
                {
                    for (long blk = b0; blk < b0 + bn; blk++)
                    {
                        long r0 = blk * rowsPerBlock, r1 = Math.Min(n, r0 + rowsPerBlock);
                        var acc = new Span<T>(p + blk * inner, inner);
                        Start(op, new ReadOnlySpan<T>(x + r0 * inner, inner), acc);
                        for (long r = r0 + 1; r < r1; r++) CombineInto(op, acc, new ReadOnlySpan<T>(x + r * inner, inner));
                    }
                });
                var outRow = new Span<T>(y, inner);
                new ReadOnlySpan<T>(p, inner).CopyTo(outRow);
                for (long blk = 1; blk < nBlocks; blk++) CombineInto(op, outRow, new ReadOnlySpan<T>(p + blk * inner, inner));
            }
            return;
        }
        CpuParallel.For(tasks, 1, (t0, tn) =>
        {
            for (long t = t0; t < t0 + tn; t++)
            {
                long o = t / colChunks, c0 = (t % colChunks) * colGrain;
                int w = (int)Math.Min(colGrain, inner - c0);
                T* src = x + o * n * inner + c0;
                var acc = new Span<T>(y + o * inner + c0, w);
                Start(op, new ReadOnlySpan<T>(src, w), acc);
                for (long r = 1; r < n; r++) CombineInto(op, acc, new ReadOnlySpan<T>(src + r * inner, w));
            }
        });
    }
}
