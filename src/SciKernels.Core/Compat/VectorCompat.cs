#if !NET9_0_OR_GREATER
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SciKernels;

// The .NET 9+ vector APIs the CPU kernels call, written for the net8.0 target as C# 14 static extension
// members: the call sites stay as they are (Vector512.MultiplyAddEstimate(...) binds to the BCL method on
// net10 and to these on net8), so the net10 code is untouched. In the root namespace so that every
// SciKernels.* namespace of the assemblies with InternalsVisibleTo on the core sees them without a using. Each shim picks the instruction that .NET 9+
// picks on the same hardware, so both targets give the same bits (docs/packaging.md, "Target frameworks"):
// MultiplyAddEstimate is one fused multiply-add where the CPU has FMA (always with AVX2 or AVX-512 on x64,
// always on Arm64) and a rounded multiply then add otherwise; Round is round-half-to-even.
internal static class VectorCompat
{
    extension(Vector)
    {
        /// <summary>x * y + acc, fused where the hardware has FMA (.NET 9's Vector.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<float> MultiplyAddEstimate(Vector<float> x, Vector<float> y, Vector<float> acc)
        {
            if (Vector<float>.Count == Vector512<float>.Count)
                return Vector512.MultiplyAddEstimate(x.AsVector512(), y.AsVector512(), acc.AsVector512()).AsVector();
            if (Vector<float>.Count == Vector256<float>.Count)
                return Vector256.MultiplyAddEstimate(x.AsVector256(), y.AsVector256(), acc.AsVector256()).AsVector();
            if (Vector<float>.Count == Vector128<float>.Count)
                return Vector128.MultiplyAddEstimate(x.AsVector128(), y.AsVector128(), acc.AsVector128()).AsVector();
            return x * y + acc;
        }

        /// <summary>x * y + acc, fused where the hardware has FMA (.NET 9's Vector.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<double> MultiplyAddEstimate(Vector<double> x, Vector<double> y, Vector<double> acc)
        {
            if (Vector<double>.Count == Vector512<double>.Count)
                return Vector512.MultiplyAddEstimate(x.AsVector512(), y.AsVector512(), acc.AsVector512()).AsVector();
            if (Vector<double>.Count == Vector256<double>.Count)
                return Vector256.MultiplyAddEstimate(x.AsVector256(), y.AsVector256(), acc.AsVector256()).AsVector();
            if (Vector<double>.Count == Vector128<double>.Count)
                return Vector128.MultiplyAddEstimate(x.AsVector128(), y.AsVector128(), acc.AsVector128()).AsVector();
            return x * y + acc;
        }
    }

    extension(Vector512)
    {
        /// <summary>x * y + acc, one fused multiply-add with AVX-512F (.NET 9's Vector512.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAddEstimate(Vector512<float> x, Vector512<float> y, Vector512<float> acc)
        {
            if (Avx512F.IsSupported) return Avx512F.FusedMultiplyAdd(x, y, acc);
            return Vector512.Create(
                Vector256.MultiplyAddEstimate(x.GetLower(), y.GetLower(), acc.GetLower()),
                Vector256.MultiplyAddEstimate(x.GetUpper(), y.GetUpper(), acc.GetUpper()));
        }

        /// <summary>x * y + acc, one fused multiply-add with AVX-512F (.NET 9's Vector512.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> MultiplyAddEstimate(Vector512<double> x, Vector512<double> y, Vector512<double> acc)
        {
            if (Avx512F.IsSupported) return Avx512F.FusedMultiplyAdd(x, y, acc);
            return Vector512.Create(
                Vector256.MultiplyAddEstimate(x.GetLower(), y.GetLower(), acc.GetLower()),
                Vector256.MultiplyAddEstimate(x.GetUpper(), y.GetUpper(), acc.GetUpper()));
        }

        /// <summary>Each element rounded to the nearest integer, ties to even (.NET 9's Vector512.Round).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Round(Vector512<float> x)
        {
            // imm8 = 0x08: round to nearest even, keep 0 fraction bits, suppress the precision exception.
            if (Avx512F.IsSupported) return Avx512F.RoundScale(x, 0x08);
            return Vector512.Create(Vector256.Round(x.GetLower()), Vector256.Round(x.GetUpper()));
        }
    }

    extension(Avx512F)
    {
        /// <summary>
        /// .NET 10's Avx512F.Compress (vpcompressq): the lanes of <paramref name="value"/> whose mask lane is set, packed
        /// to the low lanes in order, the rest taken from <paramref name="merge"/>. .NET 8 exposes no compress
        /// instruction, so this is a permute by a table indexed by the 8 mask bits and a blend: the same lanes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<long> Compress(Vector512<long> merge, Vector512<long> mask, Vector512<long> value)
        {
            int bits = (int)mask.ExtractMostSignificantBits();
            var packed = Avx512F.PermuteVar8x64(value, Vector512.LoadUnsafe(ref CompressTable[8 * bits]));
            var keep = Vector512.LessThan(CompressLane, Vector512.Create((long)BitOperations.PopCount((uint)bits)));
            return Vector512.ConditionalSelect(keep, packed, merge);
        }

        /// <summary>.NET 10's Avx512F.Compress for doubles (vcompresspd); see the long overload.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Compress(Vector512<double> merge, Vector512<double> mask, Vector512<double> value)
            => Avx512F.Compress(merge.AsInt64(), mask.AsInt64(), value.AsInt64()).AsDouble();
    }

    private static readonly Vector512<long> CompressLane = Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7);

    /// <summary>For each 8-bit mask, the indices of its set lanes in increasing order, then zeros (8 per mask).</summary>
    private static readonly long[] CompressTable = BuildCompressTable();

    private static long[] BuildCompressTable()
    {
        var t = new long[256 * 8];
        for (int m = 0; m < 256; m++)
        {
            int n = 0;
            for (int lane = 0; lane < 8; lane++)
                if ((m >> lane & 1) != 0) t[8 * m + n++] = lane;
        }
        return t;
    }

    extension(Vector256)
    {
        /// <summary>x * y + acc, fused where the CPU has FMA (.NET 9's Vector256.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAddEstimate(Vector256<float> x, Vector256<float> y, Vector256<float> acc)
        {
            if (Fma.IsSupported) return Fma.MultiplyAdd(x, y, acc);
            return Vector256.Create(
                Vector128.MultiplyAddEstimate(x.GetLower(), y.GetLower(), acc.GetLower()),
                Vector128.MultiplyAddEstimate(x.GetUpper(), y.GetUpper(), acc.GetUpper()));
        }

        /// <summary>x * y + acc, fused where the CPU has FMA (.NET 9's Vector256.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> MultiplyAddEstimate(Vector256<double> x, Vector256<double> y, Vector256<double> acc)
        {
            if (Fma.IsSupported) return Fma.MultiplyAdd(x, y, acc);
            return Vector256.Create(
                Vector128.MultiplyAddEstimate(x.GetLower(), y.GetLower(), acc.GetLower()),
                Vector128.MultiplyAddEstimate(x.GetUpper(), y.GetUpper(), acc.GetUpper()));
        }

        /// <summary>Each element rounded to the nearest integer, ties to even (.NET 9's Vector256.Round).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Round(Vector256<float> x)
        {
            if (Avx.IsSupported) return Avx.RoundToNearestInteger(x);
            return Vector256.Create(Vector128.Round(x.GetLower()), Vector128.Round(x.GetUpper()));
        }
    }

    extension(Vector128)
    {
        /// <summary>x * y + acc, fused where the CPU has FMA (.NET 9's Vector128.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyAddEstimate(Vector128<float> x, Vector128<float> y, Vector128<float> acc)
        {
            if (Fma.IsSupported) return Fma.MultiplyAdd(x, y, acc);
            if (AdvSimd.IsSupported) return AdvSimd.FusedMultiplyAdd(acc, x, y);
            return x * y + acc;
        }

        /// <summary>x * y + acc, fused where the CPU has FMA (.NET 9's Vector128.MultiplyAddEstimate).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<double> MultiplyAddEstimate(Vector128<double> x, Vector128<double> y, Vector128<double> acc)
        {
            if (Fma.IsSupported) return Fma.MultiplyAdd(x, y, acc);
            if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.FusedMultiplyAdd(acc, x, y);
            return x * y + acc;
        }

        /// <summary>Each element rounded to the nearest integer, ties to even (.NET 9's Vector128.Round).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Round(Vector128<float> x)
        {
            if (Sse41.IsSupported) return Sse41.RoundToNearestInteger(x);
            if (AdvSimd.IsSupported) return AdvSimd.RoundToNearest(x);
            return Vector128.Create(MathF.Round(x[0]), MathF.Round(x[1]), MathF.Round(x[2]), MathF.Round(x[3]));
        }
    }
}
#endif
