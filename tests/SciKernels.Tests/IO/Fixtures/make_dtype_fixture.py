#!/usr/bin/python3
"""Writes dtypes.safetensors: one tensor of each dtype SciKernels reads, with the expected float32 values
computed here (numpy + struct), independently of the C# reader.

The safetensors format (https://github.com/huggingface/safetensors, README "Format"): an 8-byte little-endian
unsigned header size N, N bytes of UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
{str: str}}, padded with spaces; then the byte buffer, each tensor little-endian and row-major. Like the reference
writer, tensors are laid out by descending alignment, then name, and the header is padded to a multiple of 8.

Neither the safetensors package nor torch is available on the build machine (Debian bookworm has no
python3-safetensors), so the format is written by hand here, following that specification.

Run: /usr/bin/python3 make_dtype_fixture.py   (numpy 1.24)
"""
import json
import math
import struct

import numpy as np

BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "F8_E5M2": 8, "I16": 16, "F16": 16, "BF16": 16,
        "I32": 32, "F32": 32, "I64": 64, "F64": 64, "C64": 64}


def bf16_bits(x):
    """float32 -> bfloat16 bits, round to nearest even (torch's rule)."""
    b = struct.unpack("<I", struct.pack("<f", x))[0]
    if math.isnan(x):
        return (b >> 16) | 0x40
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF


def e4m3fn(code):
    """OCP FP8 E4M3FN: bias 7, subnormals, no infinities, NaN = S.1111.111."""
    s = -1.0 if code & 0x80 else 1.0
    e = (code >> 3) & 0xF
    m = code & 0x7
    if e == 0xF and m == 0x7:
        return float("nan")
    if e == 0:
        return s * m * 2.0 ** -9
    return s * (1 + m / 8) * 2.0 ** (e - 7)


def e5m2(code):
    """OCP FP8 E5M2 is the upper byte of an IEEE binary16: decode through numpy's float16."""
    return float(np.array([code << 8], dtype=np.uint16).view(np.float16)[0])


tensors = {}


def add(name, dtype, shape, raw):
    tensors[name] = (dtype, list(shape), raw)


f16_values = np.array([1.0, -2.5, 65504.0, 5.96e-8, np.inf, -0.0], dtype=np.float32)
f16 = f16_values.astype(np.float16)
add("f16", "F16", [2, 3], f16.tobytes())
add("f16.expected", "F32", [2, 3], f16.astype(np.float32).tobytes())

bf_in = [1.0, -3.140625, 1.00390625, 1.01171875, 3.0e38, 1e-40, float("inf"), -7.5]
bf = [bf16_bits(v) for v in bf_in]
add("bf16", "BF16", [8], struct.pack("<8H", *bf))
add("bf16.expected", "F32", [8], struct.pack("<8I", *[b << 16 for b in bf]))
add("bf16.source", "F32", [8], struct.pack("<8f", *bf_in))

codes = bytes(range(256))
add("f8_e4m3", "F8_E4M3", [16, 16], codes)
add("f8_e4m3.expected", "F32", [16, 16], np.array([e4m3fn(c) for c in range(256)], dtype=np.float32).tobytes())
add("f8_e5m2", "F8_E5M2", [256], codes)
add("f8_e5m2.expected", "F32", [256], np.array([e5m2(c) for c in range(256)], dtype=np.float32).tobytes())

add("i8", "I8", [4], np.array([-128, -1, 0, 127], dtype=np.int8).tobytes())
add("u8", "U8", [4], np.array([0, 1, 128, 255], dtype=np.uint8).tobytes())
add("i16", "I16", [2, 2], np.array([-32768, -2, 3, 32767], dtype=np.int16).tobytes())
add("i32", "I32", [3], np.array([-2147483648, 5, 2147483647], dtype=np.int32).tobytes())
add("i64", "I64", [2], np.array([-9007199254740993, 42], dtype=np.int64).tobytes())
add("bool", "BOOL", [5], np.array([True, False, True, True, False], dtype=np.bool_).tobytes())
add("f32", "F32", [2], np.array([1.5, -0.25], dtype=np.float32).tobytes())
add("f64", "F64", [2], np.array([math.pi, -1e300], dtype=np.float64).tobytes())
add("c64", "C64", [1], np.array([1 + 2j], dtype=np.complex64).tobytes())
# A valid empty tensor with a dimension beyond int32 (3e9 x 0 = 0 elements, 0 bytes).
add("empty_wide", "F32", [3000000000, 0], b"")

order = sorted(tensors, key=lambda n: (-BITS[tensors[n][0]], n))
header = {"__metadata__": {"format": "pt", "writer": "make_dtype_fixture.py"}}
data = bytearray()
for name in order:
    dtype, shape, raw = tensors[name]
    n = math.prod(shape)
    assert len(raw) * 8 == n * BITS[dtype], name
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * ((8 - len(text) % 8) % 8)
with open("dtypes.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    f.write(data)
print(f"dtypes.safetensors: {8 + len(text) + len(data)} bytes, {len(order)} tensors")
