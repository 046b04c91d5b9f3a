#!/usr/bin/python3
"""Writes the seed corpus of fuzz_exif (tests/fuzz/corpus/exif): TIFF
structures as found in EXIF blocks, both byte orders, the Orientation tag as
SHORT and LONG, among other tags, and malformed ones (bad type, count,
value, offsets past the end, truncated entries). Run from this directory."""
import os
import struct


def tiff(be, entries, ifd=8):
    e = '>' if be else '<'
    head = (b'MM\x00*' if be else b'II*\x00') + struct.pack(e + 'I', ifd)
    body = struct.pack(e + 'H', len(entries))
    for tag, typ, count, val in entries:
        body += struct.pack(e + 'HHI', tag, typ, count) + val
    return head + b'\x00' * (ifd - 8) + body + struct.pack(e + 'I', 0)


def short(be, v):
    return struct.pack('>HH' if be else '<HH', v, 0)


def long_(be, v):
    return struct.pack('>I' if be else '<I', v)


seeds = {}
for be in (0, 1):
    bo = 'be' if be else 'le'
    for o in (1, 3, 6, 8):
        seeds[f'{bo}-short-{o}'] = tiff(be, [(0x0112, 3, 1, short(be, o))])
    seeds[f'{bo}-long-5'] = tiff(be, [(0x0112, 4, 1, long_(be, 5))])
    seeds[f'{bo}-after-other-tags'] = tiff(be, [(0x010f, 2, 4, b'Can\x00'), (0x0110, 2, 4, b'EOS\x00'),
                                               (0x0112, 3, 1, short(be, 7))])
seeds['le-count-2'] = tiff(0, [(0x0112, 3, 2, short(0, 6))])
seeds['le-bad-type'] = tiff(0, [(0x0112, 7, 1, short(0, 6))])
seeds['le-value-9'] = tiff(0, [(0x0112, 3, 1, short(0, 9))])
seeds['le-ifd-far'] = tiff(0, [(0x0112, 3, 1, short(0, 6))], ifd=40)
seeds['le-ifd-past-end'] = b'II*\x00' + struct.pack('<I', 1000) + b'\x00' * 8
seeds['le-count-overflow'] = b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', 0xffff) + b'\x12\x01\x03\x00'
seeds['be-truncated-entry'] = tiff(1, [(0x0112, 3, 1, short(1, 6))])[:16]
seeds['not-tiff'] = b'Exif\x00\x00II*\x00\x08\x00\x00\x00'
os.makedirs('corpus/exif', exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join('corpus/exif', name), 'wb') as f:
        f.write(data)
