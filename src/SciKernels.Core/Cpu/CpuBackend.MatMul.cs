namespace SciKernels.Cpu;

public sealed unsafe partial class CpuBackend
{
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool accumulate)
    {
        int batch = a.Shape[0], m = a.Shape[1], k = a.Shape[2], n = b.Shape[2];
        var sa = a.Strides;
        var sb = b.Strides;
        long ldc = (long)n;
        if (a.DType == DType.Float32)
            Gemm.SgemmBatched(batch, m, n, k, Ptr<float>(a), sa[0], sa[1], sa[2], Ptr<float>(b), sb[0], sb[1], sb[2], Ptr<float>(c), (long)m * n, ldc, accumulate, Options.MaxThreads);
        else
            Gemm.DgemmBatched(batch, m, n, k, Ptr<double>(a), sa[0], sa[1], sa[2], Ptr<double>(b), sb[0], sb[1], sb[2], Ptr<double>(c), (long)m * n, ldc, accumulate, Options.MaxThreads);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(c);
    }
}
