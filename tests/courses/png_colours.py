#!/usr/bin/env python3
"""png_colours.py FILE.png - how many distinct colours a PNG has (8-bit RGB or RGBA,
non-interlaced: what Chromium's --screenshot writes), in its first 400 rows (where a page
starts; decoding in Python is slow). Prints the count; exits 1 below 3 (a blank or failed
render has one), 2 when the file is not such a PNG."""
import struct
import sys
import zlib

data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    print("not a PNG")
    sys.exit(2)
pos, idat, hdr = 8, b"", None
while pos + 8 <= len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
if depth != 8 or ctype not in (2, 6) or interlace:
    print(f"unsupported PNG: depth {depth}, colour type {ctype}, interlace {interlace}")
    sys.exit(2)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours = set()
for y in range(min(h, 400)):
    ft = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):   # undo the row filter (PNG spec, section 9)
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if ft == 1:
            line[i] = (line[i] + a) & 255
        elif ft == 2:
            line[i] = (line[i] + b) & 255
        elif ft == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif ft == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp * 2))
    prev = line
print(f"{w}x{h}, {len(colours)} distinct colours (sampled)")
sys.exit(0 if len(colours) >= 3 else 1)
