#if !NET9_0_OR_GREATER
namespace SciKernels;

// .NET 9+ BCL methods the libraries call, for the net8.0 target (C# 14 static extension members, as in
// VectorCompat.cs: the call sites are the same on both targets).
internal static class BclCompat
{
    extension(Convert)
    {
        /// <summary>.NET 9's Convert.ToHexStringLower: the bytes as lower-case hexadecimal digits.</summary>
        public static string ToHexStringLower(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

        /// <summary>.NET 9's Convert.ToHexStringLower: the bytes as lower-case hexadecimal digits.</summary>
        public static string ToHexStringLower(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
#endif
