# scripts/train/safetensors.py: writes and reads fp32 safetensors files without the safetensors package (training tooling).
"""Format (huggingface/safetensors README, "Format"): an 8-byte little-endian unsigned header length N,
then N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}
(offsets relative to the end of the header, padded here with spaces so the data starts 8-byte aligned),
then the tensor bytes, row-major, little-endian.
"""
import json
import struct
import sys

import torch

assert sys.byteorder == 'little', 'tensor bytes are written in the machine order, which must be little-endian'


def write(path, tensors, metadata=None):
    """Writes {name: fp32 torch tensor} in sorted name order (as the safetensors package does)."""
    header, offset = {}, 0
    names = sorted(tensors)
    for name in names:
        t = tensors[name]
        if t.dtype != torch.float32:
            raise ValueError(f'{name} is {t.dtype}; this writer stores float32 only')
        size = t.numel() * 4
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + size]}
        offset += size
    if metadata:
        header['__metadata__'] = metadata
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-(8 + len(text)) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for name in names:
            f.write(tensors[name].detach().contiguous().numpy().tobytes())


def read(path):
    """{name: fp32 tensor} of a file written by `write` (used to check the written file loads back)."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    out = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        buf = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(e['shape'])
    return out
