#!/usr/bin/python3
"""Writes registers.json: golden vectors for the Modbus decoder and encoder.

Made with Python's struct module, not with the code under test. A byte order name lists where the
bytes of the big-endian value (A = most significant) go on the wire, in wire order: CDAB puts bytes
C, D in the first register and A, B in the second. Registers are 16-bit words, high byte first on
the wire. Run: /usr/bin/python3 test/cases/modbus/generate.py > test/cases/modbus/registers.json
"""
import json
import struct

ORDERS_32 = ["ABCD", "BADC", "CDAB", "DCBA"]
ORDERS_64 = {"ABCD": "ABCDEFGH", "BADC": "BADCFEHG", "CDAB": "GHEFCDAB", "DCBA": "HGFEDCBA"}
FORMATS = {"int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "int64": ">q", "uint64": ">Q", "float32": ">f", "float64": ">d"}
VALUES = {
    "int16": [0, 1, -1, 0x1234, -32768, 32767],
    "uint16": [0, 1, 0x1234, 0xBEEF, 65535],
    "int32": [0, -1, 0x12345678, -123456789, -(2**31), 2**31 - 1],
    "uint32": [0, 0x12345678, 0xDEADBEEF, 2**32 - 1],
    "int64": [0, -1, 0x0102030405060708, -(2**63), 2**63 - 1, -1234567890123456789],
    "uint64": [0, 0x0102030405060708, 2**63, 2**64 - 1],
    "float32": [0.0, 1.5, -2.25, 123.456, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38],
    "float64": [0.0, 1.5, -2.25, 123.456, 1.7976931348623157e308, 5e-324, -1e-300, 3.141592653589793],
}


def place(data, order):
    """Canonical big-endian bytes -> wire bytes for an order name like CDAB."""
    return bytes(data[ord(letter) - ord("A")] for letter in order)


def words(data):
    return [f"{data[i]:02X}{data[i + 1]:02X}" for i in range(0, len(data), 2)]


def json_value(kind, value):
    if kind in ("int64", "uint64"):
        return str(value)  # beyond JSON's safe integers: decimal text, read as bigint
    if kind == "float32":
        return struct.unpack(">f", struct.pack(">f", value))[0]  # the value float32 actually holds
    return value


cases = []
for kind, values in VALUES.items():
    size = struct.calcsize(FORMATS[kind])
    for order in ORDERS_32:
        name = ORDERS_64[order] if size == 8 else order
        pattern = name if size >= 4 else "AB" if order in ("ABCD", "CDAB") else "BA"  # one register: only the byte swap applies
        for value in values:
            data = struct.pack(FORMATS[kind], value)
            cases.append({"type": kind, "order": name, "words": words(place(data, pattern)), "value": json_value(kind, value)})

for text, length in [("Hello", 3), ("AB", 1), ("Pump-7", 3), ("", 2), ("ÄÖ", 2)]:
    raw = text.encode("utf-8").ljust(length * 2, b"\0")
    swapped = b"".join(bytes([raw[i + 1], raw[i]]) for i in range(0, len(raw), 2))
    cases.append({"type": "string", "length": length, "stringOrder": "AB", "words": words(raw), "value": text})
    cases.append({"type": "string", "length": length, "stringOrder": "BA", "words": words(swapped), "value": text})

for word, bit in [(0x0001, 0), (0x0008, 3), (0x8000, 15), (0xFFF7, 3), (0x7FFF, 15)]:
    cases.append({"type": "boolean", "bit": bit, "words": [f"{word:04X}"], "value": bool(word >> bit & 1)})

print(json.dumps({"description": __doc__.strip().splitlines()[0], "cases": cases}, indent=1, ensure_ascii=False))
