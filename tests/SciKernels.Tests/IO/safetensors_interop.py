#!/usr/bin/env python3
"""Independent safetensors reader/writer (standard library only) for C# interop tests.

Usage:
  safetensors_interop.py write <path>   write the known reference tensor set
  safetensors_interop.py check <path>   read <path>, validate it, and check it equals the reference set
  safetensors_interop.py dump <path>    read <path>, validate it, print its contents as JSON (data as hex)

Exit status 0 on success; on failure prints the reason to stderr and exits 1.
The reference set must match KnownTensors in SafeTensorsTests.cs.
"""
import json
import struct
import sys

MAX_HEADER = 100_000_000
DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "F8_E5M2": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32,
    "I64": 64, "U64": 64, "F64": 64, "C64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}

# name -> (dtype, shape, struct format char, values). Floats are given as bit patterns so NaN payloads,
# -0.0 and subnormals are compared exactly.
KNOWN = {
    "weight": ("F32", [2, 3], "I", [0x3FC00000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00123, 0x00000001]),
    "bias": ("F64", [4], "Q", [0x3FF0000000000000, 0x8000000000000000, 0x7FF8DEADBEEF0001, 0x400921FB54442D18]),
    "steps": ("I64", [], "q", [9007199254740993]),
    "indices": ("I32", [2, 2], "i", [-1, 0, 2147483647, -2147483648]),
    "empty": ("F32", [0, 4], "I", []),
    "half": ("F16", [2], "H", [0x3C00, 0xFC00]),
}
KNOWN_METADATA = {"format": "pt", "note": "h\u00e9llo \u2713"}


def fail(msg):
    print("safetensors_interop: " + msg, file=sys.stderr)
    sys.exit(1)


def no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            fail("duplicate JSON key %r" % k)
        d[k] = v
    return d


def write(path):
    # Deliberately a different layout from the C# writer (name order, not width order) to show the
    # C# reader accepts any valid ordering.
    header = {"__metadata__": KNOWN_METADATA}
    chunks = []
    offset = 0
    for name in sorted(KNOWN):
        dtype, shape, fmt, values = KNOWN[name]
        data = struct.pack("<%d%s" % (len(values), fmt), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for c in chunks:
            f.write(c)


def read(path):
    """Returns (metadata or None, {name: (dtype, shape, bytes)}) after validating the whole file."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n == 0 or n > MAX_HEADER or n > len(blob) - 8:
        fail("bad header length %d for a %d-byte file" % (n, len(blob)))
    if n % 8 != 0:  # not required by the format, but the C# writer promises it (reference-style padding)
        fail("header length %d is not 8-byte aligned" % n)
    try:
        text = blob[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        fail("header is not UTF-8: %s" % e)
    if not text.startswith("{"):
        fail("header does not start with '{'")
    header = json.loads(text, object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        fail("header is not an object")
    buf = blob[8 + n:]
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            fail("__metadata__ is not an object of strings")
    tensors = {}
    spans = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            fail("tensor %r has bad fields: %r" % (name, info))
        dtype, shape, offs = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_BITS:
            fail("tensor %r has unknown dtype %r" % (name, dtype))
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            fail("tensor %r has bad shape %r" % (name, shape))
        if not (isinstance(offs, list) and len(offs) == 2 and all(isinstance(o, int) and o >= 0 for o in offs)):
            fail("tensor %r has bad data_offsets %r" % (name, offs))
        count = 1
        for d in shape:
            count *= d
        begin, end = offs
        if begin > end or end > len(buf) or (end - begin) * 8 != count * DTYPE_BITS[dtype]:
            fail("tensor %r: offsets %r do not match dtype %s shape %r" % (name, offs, dtype, shape))
        tensors[name] = (dtype, shape, buf[begin:end])
        spans.append((begin, end, name))
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            fail("tensor %r starts at %d, expected %d (hole or overlap)" % (name, begin, pos))
        pos = end
    if pos != len(buf):
        fail("tensors cover %d bytes of a %d-byte buffer" % (pos, len(buf)))
    return metadata, tensors


def check(path):
    metadata, tensors = read(path)
    if metadata != KNOWN_METADATA:
        fail("metadata %r != %r" % (metadata, KNOWN_METADATA))
    if set(tensors) != set(KNOWN):
        fail("tensor names %r != %r" % (sorted(tensors), sorted(KNOWN)))
    for name, (dtype, shape, fmt, values) in KNOWN.items():
        got_dtype, got_shape, data = tensors[name]
        if (got_dtype, got_shape) != (dtype, shape):
            fail("tensor %r is %s%r, expected %s%r" % (name, got_dtype, got_shape, dtype, shape))
        got = list(struct.unpack("<%d%s" % (len(data) // struct.calcsize(fmt), fmt), data))
        if got != values:
            fail("tensor %r values %r != %r" % (name, got, values))
    print("OK %d tensors" % len(tensors))


def dump(path):
    metadata, tensors = read(path)
    out = {
        "metadata": metadata,
        "tensors": {k: {"dtype": d, "shape": s, "hex": b.hex().upper()} for k, (d, s, b) in tensors.items()},
    }
    print(json.dumps(out, ensure_ascii=True, sort_keys=True))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check", "dump"):
        fail(__doc__.strip())
    {"write": write, "check": check, "dump": dump}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
