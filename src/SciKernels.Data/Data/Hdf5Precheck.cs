using System.Buffers.Binary;
using System.Text;

namespace SciKernels.Data;

/// <summary>
/// Checks the HDF5 metadata of a MAT v7.3 file that PureHDF would size buffers from, before PureHDF opens it.
/// </summary>
/// <remarks>
/// <para>PureHDF 2.2.0 allocates some buffers at the size a file field declares, before reading them: a local heap's
/// data segment, a fill value, an attribute's data, a link name, a global heap object, a compressed chunk. One
/// corrupt byte in such a field costs an array of up to 2 GiB (found by overwriting each byte of a 12 KB
/// libhdf5-written file in turn). This walk reads those fields with small, bounded reads and checks each against
/// the structure that holds it and the file length, so a corrupt file is refused before PureHDF allocates.</para>
/// <para>It covers what PureHDF reads when listing and reading the root group's variables: the superblock
/// (versions 0–3), the root group (symbol table with its v1 B-tree, symbol nodes and local heap, or link
/// messages), the object headers (v1 and v2, with continuations) of the root's children and their messages
/// (dataspace, datatype, fill value, layout, attribute, link), global heap collections of variable-length
/// attributes, and the chunk indexes MATLAB and PureHDF write (v1 B-tree, single chunk, fixed array): every chunk
/// must lie in the file and decode within deflate's 1100:1, since PureHDF decodes each into a full-size buffer.
/// Attributes are parsed the way PureHDF parses them (name up to its NUL, datatype and dataspace by content) and
/// must agree with their declared sizes. Soft and external links are refused: PureHDF follows them while listing
/// (a self-referencing link overflowed the stack), and MATLAB writes none. Not walked (PureHDF is trusted there):
/// dense link storage (fractal heaps, not written by MATLAB), extensible-array and v2 B-tree chunk indexes, shared
/// (committed) messages, and the properties of opaque, compound, enum and array attribute datatypes.</para>
/// </remarks>
internal sealed class Hdf5Precheck
{
    private const ulong Undefined = ulong.MaxValue;

    /// <summary>Largest metadata block read whole (an object header chunk); larger ones are corrupt for a MAT file.</summary>
    private const int MaxBlock = 4 << 20;

    /// <summary>Largest datatype element (HDF5 itself caps it at 2^32 − 1; MATLAB's largest, complex double, is 16 bytes).</summary>
    private const long MaxElementSize = 1 << 16;

    /// <summary>Largest rank HDF5 allows.</summary>
    private const int MaxRank = 32;

    private readonly Stream stream;
    private readonly string source;
    private readonly long length;
    private long baseAddress;
    private int leafK = 4, internalK = 16;
    private int budget = 200_000; // structures visited: bounds the walk of a file whose pointers loop
    private readonly HashSet<ulong> visitedNodes = new();
    private string context = "the root group";

    private Hdf5Precheck(Stream stream, string source)
    {
        this.stream = stream;
        this.source = source;
        length = stream.Length;
    }

    /// <summary>Walks the file's metadata; throws a <see cref="MatFileException"/> naming the file (and the variable) on the first inconsistency.</summary>
    public static void Check(Stream stream, string source)
    {
        long start = stream.Position;
        try
        {
            new Hdf5Precheck(stream, source).Run();
        }
        finally
        {
            stream.Position = start;
        }
    }

    private MatFileException Corrupt(string what) =>
        new($"MatFile: {source} is a MAT v7.3 (HDF5) file whose {context} is corrupt: {what}");

    // ------------------------------------------------------------------ bounded reads

    private byte[] ReadAbsolute(long at, int count, string what)
    {
        if (at < 0 || count < 0 || at > length - count)
            throw Corrupt($"{what} ({count} bytes at byte {at}) lies outside the {length}-byte file");
        var buffer = new byte[count];
        stream.Position = at;
        stream.ReadExactly(buffer);
        return buffer;
    }

    private byte[] Read(ulong address, long count, string what)
    {
        if (--budget < 0) throw Corrupt("its structures point at each other in a loop or are too many");
        if (address == Undefined || address > (ulong)length)
            throw Corrupt($"{what} has the address {(address == Undefined ? "undefined" : address.ToString())} in a {length}-byte file");
        if (count > MaxBlock) throw Corrupt($"{what} claims {count} bytes");
        return ReadAbsolute(baseAddress + (long)address, (int)count, what);
    }

    /// <summary>Throws unless <paramref name="count"/> bytes at <paramref name="address"/> lie inside the file.</summary>
    private void CheckExtent(ulong address, ulong count, string what)
    {
        if (address == Undefined || address > (ulong)length || count > (ulong)length || baseAddress + (long)address > length - (long)count)
            throw Corrupt($"{what} ({count} bytes at address {address}) lies outside the {length}-byte file");
    }

    private static ushort U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    private static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(at));

    /// <summary>A cursor over one structure's bytes: every read past its end is a corruption naming the structure.</summary>
    private sealed class Cursor(Hdf5Precheck owner, byte[] data, int start, int end, string what)
    {
        public int At = start;

        public int Remaining => end - At;

        public void Need(long count, string field)
        {
            if (count < 0 || count > end - At)
                throw owner.Corrupt($"{what}: {field} needs {count} bytes but {Math.Max(0, end - At)} remain");
        }

        public byte U8(string field) { Need(1, field); return data[At++]; }
        public ushort U16(string field) { Need(2, field); var v = Hdf5Precheck.U16(data, At); At += 2; return v; }
        public uint U32(string field) { Need(4, field); var v = Hdf5Precheck.U32(data, At); At += 4; return v; }
        public ulong U64(string field) { Need(8, field); var v = Hdf5Precheck.U64(data, At); At += 8; return v; }

        /// <summary>A little-endian unsigned integer of 1–8 bytes.</summary>
        public ulong Sized(int bytes, string field)
        {
            Need(bytes, field);
            ulong v = 0;
            for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | data[At + i];
            At += bytes;
            return v;
        }

        public void Skip(long count, string field) { Need(count, field); At += (int)count; }

        /// <summary>The index of the first <paramref name="value"/> from <see cref="At"/> on, or −1.</summary>
        public int IndexOf(byte value)
        {
            int i = Array.IndexOf(data, value, At, end - At);
            return i;
        }

        public Cursor Sub(int count, string field) { Need(count, field); var c = new Cursor(owner, data, At, At + count, what); At += count; return c; }

        public string Text(int count) => Encoding.UTF8.GetString(data, At, Math.Min(count, end - At)).TrimEnd('\0');
    }

    // ------------------------------------------------------------------ superblock and root group

    private void Run()
    {
        long sb = FindSuperblock();
        var head = ReadAbsolute(sb, 12, "the superblock");
        int version = head[8];
        if (version <= 1)
        {
            var b = ReadAbsolute(sb, (version == 0 ? 24 : 28) + 32 + 40, "the superblock");
            if (b[13] != 8 || b[14] != 8) throw Corrupt($"offsets of {b[13]} and lengths of {b[14]} bytes are not supported (8 and 8 expected)");
            leafK = U16(b, 16);
            internalK = U16(b, 18);
            if (leafK == 0 || internalK == 0) throw Corrupt("a B-tree K of 0 in the superblock");
            int at = version == 0 ? 24 : 28;
            SetBase(U64(b, at));
            // the root symbol table entry: name offset, object header address, cache type, reserved, scratch
            ulong header = U64(b, at + 40);
            CheckGroup(header);
        }
        else if (version <= 3)
        {
            var b = ReadAbsolute(sb, 12 + 32, "the superblock");
            if (b[9] != 8 || b[10] != 8) throw Corrupt($"offsets of {b[9]} and lengths of {b[10]} bytes are not supported (8 and 8 expected)");
            SetBase(U64(b, 12));
            CheckGroup(U64(b, 36));
        }
        else throw Corrupt($"superblock version {version} is not supported");
    }

    private void SetBase(ulong stored)
    {
        if (stored >= (ulong)length) throw Corrupt($"the base address {stored} lies outside the {length}-byte file");
        baseAddress = (long)stored;
    }

    private long FindSuperblock()
    {
        // HDF5 looks at byte 0, then at 512, 1024, 2048, … (a user block of a power-of-two size)
        for (long at = 0; at + 8 <= length; at = at == 0 ? 512 : at * 2)
        {
            var sig = ReadAbsolute(at, 8, "the superblock signature");
            if (sig.AsSpan().SequenceEqual(MatFile.Hdf5Signature)) return at;
        }
        throw Corrupt("it has no HDF5 superblock");
    }

    /// <summary>The root group: its object header, then the object header of every child it links to.</summary>
    private void CheckGroup(ulong headerAddress)
    {
        var root = CheckObjectHeader(headerAddress);
        var children = new List<(string Name, ulong Address)>();
        if (root.SymbolTable is { } table)
        {
            var heap = CheckLocalHeap(table.Heap);
            WalkGroupTree(table.BTree, heap, children, depth: 0);
        }
        children.AddRange(root.Links);
        foreach (var (name, address) in children)
        {
            context = $"variable '{name}'";
            visitedNodes.Clear(); // two names may link one dataset: loops are looked for per variable
            var child = CheckObjectHeader(address);
            if (child.ChunkBTree is { } tree) WalkChunkTree(tree.Address, tree.Rank, tree.ChunkBytes, depth: 0);
        }
    }

    private (ulong Address, ulong Size) CheckLocalHeap(ulong address)
    {
        var b = Read(address, 32, "the local heap");
        if (!b.AsSpan(0, 4).SequenceEqual("HEAP"u8)) throw Corrupt($"no local heap signature at address {address}");
        ulong size = U64(b, 8), data = U64(b, 24);
        CheckExtent(data, size, "the local heap's data segment");
        return (data, size);
    }

    private string HeapName(ulong offset, (ulong Address, ulong Size) heap)
    {
        if (offset >= heap.Size) throw Corrupt($"a link name at offset {offset} of a {heap.Size}-byte local heap");
        int count = (int)Math.Min(heap.Size - offset, 1024);
        var b = Read(heap.Address + offset, count, "a link name");
        int end = Array.IndexOf(b, (byte)0);
        return Encoding.UTF8.GetString(b, 0, end < 0 ? count : end);
    }

    private void WalkGroupTree(ulong address, (ulong Address, ulong Size) heap, List<(string, ulong)> children, int depth)
    {
        if (depth > 64 || !visitedNodes.Add(address)) throw Corrupt("its group B-tree loops or is deeper than 64 levels");
        var b = Read(address, 24, "a group B-tree node");
        if (!b.AsSpan(0, 4).SequenceEqual("TREE"u8) || b[4] != 0) throw Corrupt($"no group B-tree node at address {address}");
        int level = b[5], entries = U16(b, 6);
        if (entries > 2 * internalK) throw Corrupt($"a group B-tree node with {entries} entries (K = {internalK})");
        // keys (8-byte heap offsets) and children alternate: key, child, key, …, child, key
        var body = Read(address + 24, 8L * (2 * entries + 1), "a group B-tree node");
        for (int i = 0; i < entries; i++)
        {
            ulong child = U64(body, 8 + 16 * i);
            if (level > 0) WalkGroupTree(child, heap, children, depth + 1);
            else ReadSymbolNode(child, heap, children);
        }
    }

    private void ReadSymbolNode(ulong address, (ulong Address, ulong Size) heap, List<(string, ulong)> children)
    {
        var b = Read(address, 8, "a symbol table node");
        if (!b.AsSpan(0, 4).SequenceEqual("SNOD"u8)) throw Corrupt($"no symbol table node at address {address}");
        int count = U16(b, 6);
        if (count > 2 * leafK) throw Corrupt($"a symbol table node with {count} entries (K = {leafK})");
        var entries = Read(address + 8, 40L * count, "a symbol table node");
        for (int i = 0; i < count; i++)
        {
            string name = HeapName(U64(entries, 40 * i), heap);
            // cache type 2: a soft link, which PureHDF would follow (see Link)
            if (U32(entries, 40 * i + 16) == 2) throw Corrupt($"'{name}' is a soft link, which MAT files do not hold");
            children.Add((name, U64(entries, 40 * i + 8)));
        }
    }

    private void WalkChunkTree(ulong address, int rank, ulong chunkBytes, int depth)
    {
        if (address == Undefined) return; // no chunk written yet
        if (depth > 64 || !visitedNodes.Add(address)) throw Corrupt("its chunk B-tree loops or is deeper than 64 levels");
        var b = Read(address, 24, "a chunk B-tree node");
        if (!b.AsSpan(0, 4).SequenceEqual("TREE"u8) || b[4] != 1) throw Corrupt($"no chunk B-tree node at address {address}");
        int level = b[5], entries = U16(b, 6);
        int keySize = 8 + 8 * (rank + 1);
        var body = Read(address + 24, (long)(keySize + 8) * entries + keySize, "a chunk B-tree node");
        for (int i = 0; i < entries; i++)
        {
            int key = (keySize + 8) * i;
            uint stored = U32(body, key);
            ulong child = U64(body, key + keySize);
            if (level > 0) WalkChunkTree(child, rank, chunkBytes, depth + 1);
            else CheckChunk(child, stored, chunkBytes, $"chunk {i} of a chunk B-tree node at address {address}");
        }
    }

    // ------------------------------------------------------------------ object headers

    private sealed class Header
    {
        public (ulong BTree, ulong Heap)? SymbolTable;
        public readonly List<(string, ulong)> Links = new();
        public (ulong Address, int Rank, ulong ChunkBytes)? ChunkBTree;
    }

    private Header CheckObjectHeader(ulong address)
    {
        var header = new Header();
        var first = Read(address, 16, "an object header");
        var blocks = new Queue<(ulong Address, ulong Length)>();
        var seen = new HashSet<ulong>(); // continuation blocks already walked: a block naming itself must not loop
        if (first.AsSpan(0, 4).SequenceEqual("OHDR"u8))
        {
            int flags = first[5];
            int at = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
            int sizeBytes = 1 << (flags & 3);
            var prefix = Read(address, at + sizeBytes, "an object header");
            var c = new Cursor(this, prefix, at, prefix.Length, "an object header");
            ulong size = c.Sized(sizeBytes, "chunk size");
            if (size > MaxBlock) throw Corrupt($"an object header chunk of {size} bytes");
            var chunk = Read(address + (ulong)(at + sizeBytes), (long)size, "an object header chunk");
            Messages(new Cursor(this, chunk, 0, chunk.Length, "an object header"), version: 2, (flags & 4) != 0, header, blocks);
            while (blocks.Count > 0)
            {
                var (a, n) = blocks.Dequeue();
                if (n < 8 || n > MaxBlock) throw Corrupt($"an object header continuation of {n} bytes");
                if (!seen.Add(a)) throw Corrupt($"its object header continuations loop back to address {a}");
                var block = Read(a, (long)n, "an object header continuation");
                if (!block.AsSpan(0, 4).SequenceEqual("OCHK"u8)) throw Corrupt($"no object header continuation at address {a}");
                Messages(new Cursor(this, block, 4, block.Length - 4, "an object header continuation"), 2, (flags & 4) != 0, header, blocks);
            }
            return header;
        }
        if (first[0] != 1) throw Corrupt($"object header version {first[0]} at address {address}");
        uint size1 = U32(first, 8);
        if (size1 > MaxBlock) throw Corrupt($"an object header of {size1} bytes");
        var body = Read(address + 16, size1, "an object header");
        Messages(new Cursor(this, body, 0, body.Length, "an object header"), 1, false, header, blocks);
        while (blocks.Count > 0)
        {
            var (a, n) = blocks.Dequeue();
            if (n > MaxBlock) throw Corrupt($"an object header continuation of {n} bytes");
            if (!seen.Add(a)) throw Corrupt($"its object header continuations loop back to address {a}");
            var block = Read(a, (long)n, "an object header continuation");
            Messages(new Cursor(this, block, 0, block.Length, "an object header continuation"), 1, false, header, blocks);
        }
        return header;
    }

    private void Messages(Cursor c, int version, bool creationOrder, Header header, Queue<(ulong, ulong)> blocks)
    {
        int headerSize = version == 1 ? 8 : 4 + (creationOrder ? 2 : 0);
        while (c.Remaining >= headerSize)
        {
            int type = version == 1 ? c.U16("message type") : c.U8("message type");
            int size = c.U16("message size");
            int flags = c.U8("message flags");
            c.Skip(headerSize - (version == 1 ? 5 : 4), "message header");
            var m = c.Sub(size, $"a message of type {type}");
            if (version == 1 && (size & 7) != 0) throw Corrupt($"a message of type {type} has a size of {size}, not a multiple of 8");
            // a shared message holds a reference, not the message itself
            if ((flags & 2) != 0) continue;
            switch (type)
            {
                case 0x01: Dataspace(m); break;
                case 0x03: Datatype(m); break;
                case 0x04: OldFillValue(m); break;
                case 0x05: FillValue(m); break;
                case 0x06: Link(m, header); break;
                case 0x08: Layout(m, header); break;
                case 0x0C: Attribute(m); break;
                case 0x10: blocks.Enqueue((m.U64("continuation address"), m.U64("continuation length"))); break;
                case 0x11: header.SymbolTable = (m.U64("B-tree address"), m.U64("local heap address")); break;
            }
            if (blocks.Count > 1024) throw Corrupt("more than 1024 object header continuations");
        }
    }

    /// <summary>
    /// The dataspace's element count (1 for a scalar, 0 for a null dataspace), consuming exactly what PureHDF's decoder
    /// consumes (dimensions, then maximum dimensions and permutation indices when flagged).
    /// </summary>
    private ulong Dataspace(Cursor m)
    {
        int version = m.U8("dataspace version");
        int rank = m.U8("dataspace rank");
        int flags = m.U8("dataspace flags");
        if (version is not (1 or 2)) throw Corrupt($"dataspace message version {version}");
        int type = rank > 0 ? 1 : 0;
        if (version == 1) m.Skip(5, "dataspace reserved bytes");
        else type = m.U8("dataspace type");
        if (rank > MaxRank) throw Corrupt($"a dataspace of rank {rank} (at most {MaxRank})");
        ulong count = 1;
        for (int i = 0; i < rank; i++)
        {
            ulong d = m.U64("dataspace dimension");
            count = d != 0 && count > ulong.MaxValue / d ? ulong.MaxValue : count * d;
        }
        if ((flags & 1) != 0) m.Skip(8L * rank, "dataspace maximum dimensions");
        if ((flags & 2) != 0) m.Skip(8L * rank, "dataspace permutation indices");
        return type switch { 0 => 1, 2 => 0, _ => count };
    }

    /// <summary>
    /// The datatype's element size and whether it is variable-length, consuming what PureHDF's decoder consumes; Known is
    /// false for the classes whose properties are not walked here (opaque, compound, enum, array), whose length is then
    /// left to the caller.
    /// </summary>
    private (ulong Size, bool VariableLength, bool Known) Datatype(Cursor m, int depth = 0)
    {
        if (depth > 8) throw Corrupt("a datatype nested more than 8 levels");
        int typeClass = m.U8("datatype class") & 0x0F;
        m.Skip(3, "datatype bit fields");
        uint size = m.U32("datatype size");
        if (size == 0 || size > MaxElementSize) throw Corrupt($"a datatype with elements of {size} bytes");
        switch (typeClass)
        {
            case 0 or 4: m.Skip(4, "datatype properties"); break; // fixed-point, bitfield: bit offset and precision
            case 1: m.Skip(12, "datatype properties"); break;      // floating point: offsets, sizes, bias
            case 2: m.Skip(2, "datatype properties"); break;       // time: precision
            case 3 or 7: break;                                     // string, reference: none
            case 9: Datatype(m, depth + 1); break;                  // variable-length: the base type
            default: return (size, false, false);
        }
        return (size, typeClass == 9, true);
    }

    private static void OldFillValue(Cursor m) => m.Skip(m.U32("fill value size"), "fill value");

    private void FillValue(Cursor m)
    {
        int version = m.U8("fill value version");
        if (version is 1 or 2)
        {
            m.Skip(2, "fill value times");
            bool defined = m.U8("fill value defined") != 0;
            if (version == 1 || defined) m.Skip(m.U32("fill value size"), "fill value");
        }
        else if (version == 3)
        {
            int flags = m.U8("fill value flags");
            if ((flags & 0x20) != 0) m.Skip(m.U32("fill value size"), "fill value");
        }
        else throw Corrupt($"fill value message version {version}");
    }

    private void Link(Cursor m, Header header)
    {
        m.U8("link version");
        int flags = m.U8("link flags");
        int linkType = (flags & 0x08) != 0 ? m.U8("link type") : 0;
        if ((flags & 0x04) != 0) m.Skip(8, "link creation order");
        if ((flags & 0x10) != 0) m.Skip(1, "link name character set");
        ulong nameLength = m.Sized(1 << (flags & 3), "link name length");
        m.Need((long)Math.Min(nameLength, int.MaxValue), "link name");
        string name = m.Text((int)nameLength);
        m.Skip((long)nameLength, "link name");
        // PureHDF follows soft links while listing a group (a link to itself recursed until the stack overflowed) and
        // external links into other files; MATLAB writes neither
        if (linkType != 0) throw Corrupt($"'{name}' is a {(linkType == 1 ? "soft" : linkType == 64 ? "external" : $"type-{linkType}")} link, which MAT files do not hold");
        header.Links.Add((name, m.U64("link address")));
    }

    private void Layout(Cursor m, Header header)
    {
        int version = m.U8("layout version");
        if (version is 1 or 2)
        {
            int rank = m.U8("layout rank");
            int cls = m.U8("layout class");
            m.Skip(5, "layout reserved bytes");
            if (cls != 0) m.Skip(8, "layout address");
            m.Skip(4L * rank, "layout dimensions");
            if (cls == 0) m.Skip(m.U32("compact data size"), "compact data");
            return;
        }
        if (version != 3 && version != 4) throw Corrupt($"layout message version {version}");
        int layoutClass = m.U8("layout class");
        switch (layoutClass)
        {
            case 0: m.Skip(m.U16("compact data size"), "compact data"); break;
            case 1:
            {
                ulong at = m.U64("contiguous data address"), size = m.U64("contiguous data size");
                if (at != Undefined) CheckExtent(at, size, "the contiguous data");
                break;
            }
            case 2 when version == 3:
            {
                int rank = m.U8("chunk rank");
                ulong tree = m.U64("chunk B-tree address");
                if (rank < 2 || rank > MaxRank + 1) throw Corrupt($"a chunk layout of rank {rank}");
                header.ChunkBTree = (tree, rank - 1, ChunkDims(m, rank, 4));
                break;
            }
            case 2:
            {
                int flags = m.U8("chunk flags");
                int rank = m.U8("chunk rank");
                int width = m.U8("chunk dimension size");
                if (rank < 2 || rank > MaxRank + 1 || width is < 1 or > 8) throw Corrupt($"a chunk layout of rank {rank} with {width}-byte dimensions");
                ulong chunkBytes = ChunkDims(m, rank, width);
                int index = m.U8("chunk index type");
                if (index == 1 && (flags & 2) != 0)
                {
                    ulong filtered = m.U64("filtered chunk size");
                    m.Skip(4, "chunk filter mask");
                    CheckChunk(m.U64("chunk address"), filtered, chunkBytes, "the single chunk");
                }
                else if (index == 3)
                {
                    m.Skip(1, "fixed array page bits");
                    ulong array = m.U64("fixed array address");
                    if (array != Undefined) CheckFixedArray(array, chunkBytes);
                }
                break;
            }
        }
    }

    /// <summary>
    /// A fixed-array chunk index (layout version 4, written by PureHDF and HDF5 1.10+): the header's entry count sizes
    /// PureHDF's entry array, and each filtered entry's stored size its chunk buffer.
    /// </summary>
    private void CheckFixedArray(ulong address, ulong chunkBytes)
    {
        var h = Read(address, 8 + 16, "a fixed array header");
        if (!h.AsSpan(0, 4).SequenceEqual("FAHD"u8)) throw Corrupt($"no fixed array header at address {address}");
        int client = h[5], entrySize = h[6], pageBits = h[7];
        ulong entries = U64(h, 8), block = U64(h, 16);
        if (entrySize < 8 || entries > (ulong)length / (ulong)entrySize)
            throw Corrupt($"a fixed array of {entries} entries of {entrySize} bytes in a {length}-byte file");
        if (block == Undefined || pageBits >= 32 || entries > 1UL << pageBits) return; // unallocated, or paged: the count bound above holds
        var b = Read(block, 14 + (long)entries * entrySize, "a fixed array data block");
        if (!b.AsSpan(0, 4).SequenceEqual("FADB"u8)) throw Corrupt($"no fixed array data block at address {block}");
        if (client != 1) return; // unfiltered chunks have their size from the layout
        int sizeBytes = entrySize - 12; // address, stored size, filter mask
        if (sizeBytes is < 1 or > 8) throw Corrupt($"fixed array entries of {entrySize} bytes");
        var c = new Cursor(this, b, 14, b.Length, "a fixed array data block");
        for (ulong i = 0; i < entries; i++)
        {
            ulong chunk = c.U64("chunk address");
            ulong stored = c.Sized(sizeBytes, "chunk size");
            c.Skip(4, "chunk filter mask");
            if (chunk != Undefined) CheckChunk(chunk, stored, chunkBytes, $"chunk {i} of a fixed array");
        }
    }

    /// <summary>
    /// A stored chunk must lie in the file, and decode to its <paramref name="chunkBytes"/> within deflate's 1100:1: PureHDF
    /// decodes every chunk into a buffer of the full chunk size (and caches several), so a corrupt chunk dimension
    /// would otherwise cost that buffer once per chunk.
    /// </summary>
    private void CheckChunk(ulong address, ulong stored, ulong chunkBytes, string what)
    {
        CheckExtent(address, stored, what);
        if (chunkBytes > Math.Max(stored, 1) * 1100)
            throw Corrupt($"{what} decodes to {chunkBytes} bytes from {stored} stored, more than deflate's 1100:1");
    }

    /// <summary>The chunk dimensions' product (the last one is the element size): the bytes of one decoded chunk.</summary>
    private ulong ChunkDims(Cursor m, int rank, int width)
    {
        ulong bytes = 1;
        for (int i = 0; i < rank; i++)
        {
            ulong d = m.Sized(width, "chunk dimension");
            if (d == 0) throw Corrupt("a chunk dimension of 0");
            bytes = bytes > ulong.MaxValue / d ? ulong.MaxValue : bytes * d;
        }
        // the last chunk "dimension" is the element size; a chunk is decoded into one buffer of this many bytes
        if (bytes > (ulong)Math.Max(length * 1100, 1 << 20)) throw Corrupt($"chunks of {bytes} bytes in a {length}-byte file");
        return bytes;
    }

    private void Attribute(Cursor m)
    {
        int version = m.U8("attribute version");
        if (version is not (1 or 2 or 3)) throw Corrupt($"attribute message version {version}");
        int flags = m.U8("attribute flags");
        int nameSize = m.U16("attribute name size"), typeSize = m.U16("attribute datatype size"), spaceSize = m.U16("attribute dataspace size");
        if (version == 3) m.Skip(1, "attribute name encoding");
        static int Pad(int n, int version) => version == 1 ? (n + 7) & ~7 : n;
        // PureHDF decodes the name up to its first NUL and the datatype and dataspace by their contents, ignoring the
        // declared sizes; where the two readings disagree the file is corrupt (else PureHDF would size the data from
        // bytes this check never looked at).
        int nul = m.IndexOf(0);
        if (nul < 0) throw Corrupt("an attribute name without a terminating NUL");
        string name = m.Text(nul - m.At);
        if (nul - m.At + 1 != nameSize) throw Corrupt($"attribute '{name}' has a name of {nul - m.At + 1} bytes declared as {nameSize}");
        m.Skip(Pad(nameSize, version), "attribute name");
        if (version > 1 && (flags & 3) != 0) throw Corrupt($"attribute '{name}' has a shared datatype or dataspace, which MAT files do not use");
        int at = m.At;
        var (size, variable, known) = Datatype(m);
        if (!known) m.At = at; // not walked: trust the declared size
        else if (m.At - at != typeSize) throw Corrupt($"attribute '{name}' has a datatype of {m.At - at} bytes declared as {typeSize}");
        m.Skip(Pad(typeSize, version) - (m.At - at), $"attribute '{name}' datatype");
        at = m.At;
        ulong count = Dataspace(m);
        if (m.At - at != spaceSize) throw Corrupt($"attribute '{name}' has a dataspace of {m.At - at} bytes declared as {spaceSize}");
        m.Skip(Pad(spaceSize, version) - spaceSize, $"attribute '{name}' dataspace");
        ulong bytes = count > ulong.MaxValue / size ? ulong.MaxValue : count * size;
        if (bytes > (ulong)m.Remaining)
            throw Corrupt($"attribute '{name}' claims {count} values of {size} bytes but its message holds {m.Remaining} bytes of data");
        if (!variable) return;
        // variable-length values are (length, global heap collection address, object index) references
        for (ulong i = 0; i < count; i++)
        {
            m.Skip(4, "variable-length value length");
            ulong collection = m.U64("global heap address");
            m.Skip(4, "global heap object index");
            if (collection != 0 && collection != Undefined) CheckGlobalHeap(collection);
        }
    }

    private void CheckGlobalHeap(ulong address)
    {
        if (!visitedNodes.Add(address)) return;
        var b = Read(address, 16, "a global heap collection");
        if (!b.AsSpan(0, 4).SequenceEqual("GCOL"u8)) throw Corrupt($"no global heap collection at address {address}");
        ulong size = U64(b, 8);
        if (size < 16 || size > MaxBlock) throw Corrupt($"a global heap collection of {size} bytes");
        var heap = Read(address, (long)size, "a global heap collection");
        var c = new Cursor(this, heap, 16, heap.Length, "a global heap collection");
        while (c.Remaining >= 16)
        {
            int index = c.U16("global heap object index");
            c.Skip(6, "global heap object header");
            ulong objectSize = c.U64("global heap object size");
            if (index == 0) break; // the free space object ends the collection
            if (objectSize > (ulong)c.Remaining) throw Corrupt($"global heap object {index} claims {objectSize} bytes but its collection holds {c.Remaining} more");
            c.Skip(Math.Min((long)(objectSize + 7) & ~7L, c.Remaining), $"global heap object {index}");
        }
    }
}
