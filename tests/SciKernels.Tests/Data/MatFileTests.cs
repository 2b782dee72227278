using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SciKernels.Data;
using Xunit;

namespace SciKernels.Tests.Data;

public class MatFileTests
{
    /// <summary>A minimal Level 5 MAT writer: header + one miMATRIX per variable (values stored as miDOUBLE, or miUINT8 when asked).</summary>
    internal static byte[] WriteMat(IEnumerable<(string Name, int[] Dims, double[] ColumnMajor)> vars, bool compress, bool asUInt8 = false)
    {
        var file = new MemoryStream();
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by SciKernels tests".PadRight(116)).CopyTo(header, 0);
        header[124] = 0x00;
        header[125] = 0x01;
        header[126] = (byte)'I';
        header[127] = (byte)'M';
        file.Write(header);
        foreach (var (name, dims, values) in vars)
        {
            var m = new MemoryStream();
            void Element(int type, byte[] payload)
            {
                var tag = new byte[8];
                BinaryPrimitives.WriteInt32LittleEndian(tag, type);
                BinaryPrimitives.WriteInt32LittleEndian(tag.AsSpan(4), payload.Length);
                m.Write(tag);
                m.Write(payload);
                m.Write(new byte[(8 - payload.Length % 8) % 8]);
            }
            var flags = new byte[8];
            flags[0] = 6; // mxDOUBLE_CLASS
            Element(6, flags);
            var d = new byte[4 * dims.Length];
            for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(4 * i), dims[i]);
            Element(5, d);
            Element(1, Encoding.ASCII.GetBytes(name));
            if (asUInt8) Element(2, values.Select(v => (byte)v).ToArray());
            else
            {
                var raw = new byte[8 * values.Length];
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), values[i]);
                Element(9, raw);
            }
            var matrix = m.ToArray();
            var element = new MemoryStream();
            var tag14 = new byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(tag14, 14);
            BinaryPrimitives.WriteInt32LittleEndian(tag14.AsSpan(4), matrix.Length);
            element.Write(tag14);
            element.Write(matrix);
            var bytes = element.ToArray();
            if (compress)
            {
                var zipped = new MemoryStream();
                using (var z = new ZLibStream(zipped, CompressionLevel.Fastest, leaveOpen: true)) z.Write(bytes);
                var tag15 = new byte[8];
                BinaryPrimitives.WriteInt32LittleEndian(tag15, 15);
                BinaryPrimitives.WriteInt32LittleEndian(tag15.AsSpan(4), (int)zipped.Length);
                file.Write(tag15);
                file.Write(zipped.ToArray());
            }
            else file.Write(bytes);
        }
        return file.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsArraysInRowMajorOrder(bool compress)
    {
        // x[i, j, k] = 100 i + 10 j + k stored column-major (i fastest)
        int[] dims = { 2, 3, 4 };
        var column = new double[24];
        for (int k = 0, c = 0; k < 4; k++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 2; i++) column[c++] = 100 * i + 10 * j + k;
        var vars = MatFile.Read(WriteMat(new[] { ("x", dims, column), ("y", new[] { 1, 3 }, new[] { 1.5, -2, 3 }) }, compress));
        Assert.Equal(dims, vars["x"].Dimensions);
        var x = vars["x"].Data;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) Assert.Equal(100 * i + 10 * j + k, x[(i * 3 + j) * 4 + k]);
        Assert.Equal(new[] { 1.5, -2, 3 }, vars["y"].Data);
    }

    [Fact]
    public void WidensNarrowStorageTypes()
    {
        var vars = MatFile.Read(WriteMat(new[] { ("a", new[] { 1, 4 }, new double[] { 3, 12, 12, 3 }) }, compress: false, asUInt8: true));
        Assert.Equal(new double[] { 3, 12, 12, 3 }, vars["a"].Data);
    }

    [Fact]
    public void RejectsCorruptAndUnsupportedFiles()
    {
        var good = WriteMat(new[] { ("x", new[] { 2, 2 }, new double[] { 1, 2, 3, 4 }) }, compress: false);
        var truncated = good.AsSpan(0, good.Length - 12).ToArray();
        Assert.Contains("beyond the end", Assert.Throws<MatFileException>(() => MatFile.Read(truncated)).Message);
        Assert.Throws<MatFileException>(() => MatFile.Read(new byte[40]));
        var v73 = new byte[1024];
        Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file").CopyTo(v73, 0);
        new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a }.CopyTo(v73, 512);
        Assert.Contains("v7.3", Assert.Throws<MatFileException>(() => MatFile.Read(v73)).Message);
        var compressed = WriteMat(new[] { ("x", new[] { 2, 2 }, new double[] { 1, 2, 3, 4 }) }, compress: true);
        compressed[^3] ^= 0xff; // break the zlib stream
        Assert.Throws<MatFileException>(() => MatFile.Read(compressed));
    }

    [Fact]
    public void DarcyFromMatFileSubsamplesLikeThePaper()
    {
        // 2 samples at S = 9, coeff[c, i, j] = c + i, sol[c, i, j] = 10 c + j; keep s = 5 (stride 2)
        int n = 2, big = 9;
        var coeff = new double[n * big * big];
        var sol = new double[coeff.Length];
        for (int j = 0, at = 0; j < big; j++)
            for (int i = 0; i < big; i++)
                for (int c = 0; c < n; c++, at++)
                {
                    coeff[at] = c + i;
                    sol[at] = 10 * c + j;
                }
        string path = Path.Combine(Path.GetTempPath(), $"sk-darcy-{Guid.NewGuid():N}.mat");
        try
        {
            File.WriteAllBytes(path, WriteMat(new[] { ("coeff", new[] { n, big, big }, coeff), ("sol", new[] { n, big, big }, sol) }, compress: true));
            var d = DarcyDataset.FromMatFile(path, 5);
            Assert.Equal(2, d.Count);
            Assert.Equal(5, d.Resolution);
            Assert.Equal(1 + 2 * 3, d.Inputs[25 + 3 * 5 + 4]);   // c = 1, i = 3 → row 6
            Assert.Equal(10 + 2 * 4, d.Targets[25 + 3 * 5 + 4]); // c = 1, j = 4 → column 8
            Assert.Throws<MatFileException>(() => DarcyDataset.FromMatFile(path, 4)); // 8 is not a multiple of 3
        }
        finally
        {
            File.Delete(path);
        }
    }
}
