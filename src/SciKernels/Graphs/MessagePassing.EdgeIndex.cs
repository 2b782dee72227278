namespace SciKernels.Graphs;

public static partial class MessagePassing
{
    /// <summary>
    /// The edges of a directed graph in the two compressed-sparse-row forms message passing needs:
    /// edges sorted by receiver (the order of edge features and messages) with row offsets, and the
    /// same edges grouped by sender (for the backward of sender gathers). Immutable; built on the host
    /// by stable counting sorts, so the same pairs give the same order, bit for bit.
    /// </summary>
    /// <remarks>
    /// Edge k of every per-edge tensor (features, messages) is the k-th edge in receiver order:
    /// receiver <see cref="Receivers"/>[k], sender <see cref="Senders"/>[k], original pair
    /// <see cref="Order"/>[k] (reorder features given in pair order with
    /// <c>e.IndexSelect(0, edges.Order)</c>). Multi-edges and self-loops are kept; the pairs of one
    /// receiver keep their input order. The index tensors live on <see cref="Device"/>; the
    /// primitives use <see cref="On"/> to get (and cache) a copy on the device of their operands.
    /// The instance owns its tensors: they outlive any <see cref="TensorScope"/> and are released by
    /// <see cref="Dispose"/>.
    /// </remarks>
    public sealed class EdgeIndex : IDisposable
    {
        private readonly long[] receivers, senders, rowOffsets, senderPerm, senderOffsets, order;
        private readonly Dictionary<Device, EdgeIndex> copies = new();
        private readonly Dictionary<DType, Tensor> inverseDegree = new();
        private readonly Dictionary<int, EdgeIndex[]> receiverChunks = new();
        private readonly object gate = new();
        private Tensor? receiversT, sendersT, rowOffsetsT, senderPermT, senderOffsetsT, orderT;
        private bool disposed;

        private EdgeIndex(int numNodes, long[] receivers, long[] senders, long[] rowOffsets, long[] senderPerm, long[] senderOffsets, long[] order, Device device)
        {
            NumNodes = numNodes;
            EndReceiver = numNodes;
            this.receivers = receivers;
            this.senders = senders;
            this.rowOffsets = rowOffsets;
            this.senderPerm = senderPerm;
            this.senderOffsets = senderOffsets;
            this.order = order;
            Device = device;
        }

        /// <summary>Number of nodes N (segments; nodes without edges have empty segments).</summary>
        public int NumNodes { get; }

        /// <summary>Number of edges E.</summary>
        public int NumEdges => receivers.Length;

        /// <summary>Where the index tensors live.</summary>
        public Device Device { get; }

        /// <summary>Receiver of each edge, ascending: int64 [E].</summary>
        public Tensor Receivers => Lazy(ref receiversT, receivers);

        /// <summary>Sender of each edge (receiver order): int64 [E].</summary>
        public Tensor Senders => Lazy(ref sendersT, senders);

        /// <summary>Receiver offsets: the edges received by node n are [RowOffsets[n], RowOffsets[n+1]); int64 [N + 1].</summary>
        public Tensor RowOffsets => Lazy(ref rowOffsetsT, rowOffsets);

        /// <summary>Edges (positions in receiver order) grouped by sender, ascending within a sender: int64 [E].</summary>
        public Tensor SenderPerm => Lazy(ref senderPermT, senderPerm);

        /// <summary>Sender offsets into <see cref="SenderPerm"/>: int64 [N + 1].</summary>
        public Tensor SenderOffsets => Lazy(ref senderOffsetsT, senderOffsets);

        /// <summary>Index of each edge in the pairs given to <c>FromPairs</c>: int64 [E].</summary>
        public Tensor Order => Lazy(ref orderT, order);

        /// <summary>The receiver offsets on the host (no device read).</summary>
        public ReadOnlySpan<long> HostRowOffsets => rowOffsets;

        /// <summary>Test seam (per instance): false runs every primitive in its composite form.</summary>
        internal bool UseFusedKernels { get; set; } = true;

        /// <summary>
        /// Builds the index of the directed edges senders[i] → receivers[i]. Deterministic: a stable
        /// sort by receiver, then a stable grouping of those positions by sender.
        /// </summary>
        /// <param name="senders">Source node of each edge, in [0, numNodes).</param>
        /// <param name="receivers">Destination node of each edge, in [0, numNodes).</param>
        /// <param name="numNodes">Number of nodes N ≥ 0.</param>
        /// <param name="device">Where the index tensors live (default: the CPU).</param>
        /// <exception cref="TensorException">Lengths differ, N is negative or an index is out of range.</exception>
        public static EdgeIndex FromPairs(ReadOnlySpan<long> senders, ReadOnlySpan<long> receivers, int numNodes, Device? device = null)
        {
            const string op = "EdgeIndex.FromPairs";
            if (senders.Length != receivers.Length)
                throw new TensorException(op, $"{senders.Length} senders but {receivers.Length} receivers");
            if (numNodes < 0) throw new TensorException(op, $"numNodes must be non-negative, got {numNodes}");
            int e = receivers.Length;
            for (int i = 0; i < e; i++)
            {
                if ((ulong)receivers[i] >= (ulong)numNodes)
                    throw new TensorException(op, $"receiver {receivers[i]} of edge {i} is outside [0, {numNodes})");
                if ((ulong)senders[i] >= (ulong)numNodes)
                    throw new TensorException(op, $"sender {senders[i]} of edge {i} is outside [0, {numNodes})");
            }
            var rowOffsets = Offsets(receivers, numNodes);
            var order = new long[e];
            var cursor = rowOffsets[..numNodes];
            for (int i = 0; i < e; i++) order[cursor[receivers[i]]++] = i;
            var recv = new long[e];
            var send = new long[e];
            for (int k = 0; k < e; k++)
            {
                recv[k] = receivers[(int)order[k]];
                send[k] = senders[(int)order[k]];
            }
            var senderOffsets = Offsets(send, numNodes);
            var perm = new long[e];
            cursor = senderOffsets[..numNodes];
            for (int k = 0; k < e; k++) perm[cursor[send[k]]++] = k;
            return new EdgeIndex(numNodes, recv, send, rowOffsets, perm, senderOffsets, order, device ?? Device.Cpu);
        }

        /// <summary>
        /// Builds the index from int64 tensors [E] of senders and receivers (read to the host); the index
        /// tensors live on the receivers' device.
        /// </summary>
        /// <param name="senders">int64 [E].</param>
        /// <param name="receivers">int64 [E].</param>
        /// <param name="numNodes">Number of nodes N.</param>
        public static EdgeIndex FromPairs(Tensor senders, Tensor receivers, int numNodes)
        {
            ArgumentNullException.ThrowIfNull(senders);
            ArgumentNullException.ThrowIfNull(receivers);
            if (senders.DType != DType.Int64 || receivers.DType != DType.Int64 || senders.Rank != 1 || receivers.Rank != 1)
                throw new TensorException("EdgeIndex.FromPairs", $"expected int64 [E] senders and receivers, got {senders.DType.Name()} {Tensor.ShapeString(senders.Shape)} and {receivers.DType.Name()} {Tensor.ShapeString(receivers.Shape)}");
            return FromPairs(senders.ToArray<long>(), receivers.ToArray<long>(), numNodes, receivers.Device);
        }

        private static long[] Offsets(ReadOnlySpan<long> ids, int numNodes)
        {
            var offsets = new long[numNodes + 1];
            foreach (long id in ids) offsets[id + 1]++;
            for (int n = 0; n < numNodes; n++) offsets[n + 1] += offsets[n];
            return offsets;
        }

        /// <summary>This index with its tensors on <paramref name="device"/> (cached; this instance when already there).</summary>
        /// <param name="device">Target device.</param>
        public EdgeIndex On(Device device)
        {
            ArgumentNullException.ThrowIfNull(device);
            if (device == Device) return this;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (!copies.TryGetValue(device, out var copy))
                {
                    copy = new EdgeIndex(NumNodes, receivers, senders, rowOffsets, senderPerm, senderOffsets, order, device) { UseFusedKernels = UseFusedKernels };
                    copies.Add(device, copy);
                }
                return copy;
            }
        }

        /// <summary>First edge (receiver order) of this index inside the index it was cut from by <see cref="ReceiverChunks"/>; 0 otherwise.</summary>
        internal int FirstEdge { get; private init; }

        /// <summary>The receivers [<see cref="FirstReceiver"/>, <see cref="EndReceiver"/>) this index holds all edges of (all nodes unless cut by <see cref="ReceiverChunks"/>).</summary>
        internal int FirstReceiver { get; private init; }

        /// <summary>End (exclusive) of the receiver range; see <see cref="FirstReceiver"/>.</summary>
        internal int EndReceiver { get; private init; }

        /// <summary>
        /// This index cut into consecutive receiver ranges of at most <paramref name="maxEdges"/> edges each
        /// (a node receiving more is a chunk of its own). Edges are sorted by receiver, so each chunk is the
        /// contiguous edge range [<see cref="FirstEdge"/>, FirstEdge + NumEdges) of this index; every chunk
        /// keeps all <see cref="NumNodes"/> nodes (senders anywhere, empty rows outside its receivers), and the
        /// ranges cover [0, N). Cached per size and disposed with this index: per-edge work in chunks
        /// (NequIP's radial weights) never holds a per-edge tensor of the whole graph.
        /// </summary>
        /// <param name="maxEdges">Most edges per chunk, ≥ 1.</param>
        internal EdgeIndex[] ReceiverChunks(int maxEdges)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEdges);
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (receiverChunks.TryGetValue(maxEdges, out var cached)) return cached;
                var chunks = new List<EdgeIndex>();
                if (NumNodes == 0) chunks.Add(Cut(0, 0));
                for (int first = 0, end; first < NumNodes; first = end)
                {
                    long e0 = rowOffsets[first];
                    for (end = first + 1; end < NumNodes && rowOffsets[end + 1] - e0 <= maxEdges; end++) { }
                    chunks.Add(Cut(first, end));
                }
                var result = chunks.ToArray();
                receiverChunks.Add(maxEdges, result);
                return result;
            }
        }

        /// <summary>The edges of receivers [first, end) as an index over all N nodes (see <see cref="ReceiverChunks"/>).</summary>
        private EdgeIndex Cut(int first, int end)
        {
            int e0 = (int)rowOffsets[first], e1 = (int)rowOffsets[end];
            var recv = receivers[e0..e1];
            var send = senders[e0..e1];
            var rows = new long[NumNodes + 1];
            for (int n = 0; n <= NumNodes; n++) rows[n] = Math.Clamp(rowOffsets[n] - e0, 0, e1 - e0);
            var senderOffsets = Offsets(send, NumNodes);
            var perm = new long[send.Length];
            var cursor = senderOffsets[..NumNodes];
            for (int k = 0; k < send.Length; k++) perm[cursor[send[k]]++] = k;
            var order = new long[send.Length];
            for (int k = 0; k < order.Length; k++) order[k] = this.order[e0 + k];
            return new EdgeIndex(NumNodes, recv, send, rows, perm, senderOffsets, order, Device)
            {
                UseFusedKernels = UseFusedKernels, FirstEdge = e0, FirstReceiver = first, EndReceiver = end,
            };
        }

        /// <summary>1 / max(in-degree, 1) per node, [N] of <paramref name="dtype"/> on <see cref="Device"/> (cached): the scale of the segment mean.</summary>
        internal Tensor InverseDegree(DType dtype)
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (!inverseDegree.TryGetValue(dtype, out var t))
                {
                    var inv = new double[NumNodes];
                    for (int n = 0; n < NumNodes; n++) inv[n] = 1.0 / Math.Max(1, rowOffsets[n + 1] - rowOffsets[n]);
                    t = TensorScope.Keep(Tensor.FromDoubles(inv, new[] { NumNodes }, dtype).To(Device));
                    inverseDegree.Add(dtype, t);
                }
                return t;
            }
        }

        private Tensor Lazy(ref Tensor? slot, long[] values)
        {
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                return slot ??= TensorScope.Keep(Tensor.FromArray(values, values.Length).To(Device));
            }
        }

        /// <summary>Releases the index tensors and the cached device copies.</summary>
        public void Dispose()
        {
            lock (gate)
            {
                if (disposed) return;
                disposed = true;
                foreach (var t in new[] { receiversT, sendersT, rowOffsetsT, senderPermT, senderOffsetsT, orderT }) t?.Dispose();
                foreach (var t in inverseDegree.Values) t.Dispose();
                foreach (var c in copies.Values) c.Dispose();
                foreach (var chunks in receiverChunks.Values)
                    foreach (var c in chunks) c.Dispose();
            }
        }

        /// <inheritdoc/>
        public override string ToString() => $"EdgeIndex(N={NumNodes}, E={NumEdges}, {Device})";
    }
}
