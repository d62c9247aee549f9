#!/usr/bin/env python3
"""An independent check of a running Zhifa log, sharing no code with it (LOG-3).

Fetches /log/checkpoint, verifies its Ed25519 signature (C2SP signed-note) with the given
verifier key, downloads every entry bundle named by the C2SP tlog-tiles layout, rebuilds the
RFC 6962 tree root from the entries, and compares it with the checkpoint and with every level-0
hash tile served. Only the Python standard library; Ed25519 verification is RFC 8032's
reference algorithm.

    verify_tlog.py BASE_URL VERIFIER_KEY
"""
import base64
import hashlib
import sys
import urllib.request

# --- RFC 8032 section 6 (Ed25519 verification, reference code) -------------------------
p = 2**255 - 19
q = 2**252 + 27742317777372353535851937790883648493
d = -121665 * pow(121666, p - 2, p) % p
I = pow(2, (p - 1) // 4, p)


def recover_x(y, sign):
    if y >= p:
        return None
    x2 = (y * y - 1) * pow(d * y * y + 1, p - 2, p)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p != 0:
        x = x * I % p
    if (x * x - x2) % p != 0:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


def point_add(P, Q):
    A, B = (P[1] - P[0]) * (Q[1] - Q[0]) % p, (P[1] + P[0]) * (Q[1] + Q[0]) % p
    C, D = 2 * P[3] * Q[3] * d % p, 2 * P[2] * Q[2] % p
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F, G * H, F * G, E * H)


def point_mul(s, P):
    Q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            Q = point_add(Q, P)
        P = point_add(P, P)
        s >>= 1
    return Q


def point_equal(P, Q):
    return (P[0] * Q[2] - Q[0] * P[2]) % p == 0 and (P[1] * Q[2] - Q[1] * P[2]) % p == 0


gy = 4 * pow(5, p - 2, p) % p
gx = recover_x(gy, 0)
G = (gx, gy, 1, gx * gy % p)


def decompress(s):
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % p)


def ed25519_verify(public, msg, sig):
    A = decompress(public)
    R = decompress(sig[:32])
    if A is None or R is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= q:
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + public + msg).digest(), "little") % q
    return point_equal(point_mul(s, G), point_add(R, point_mul(h, A)))


# --- RFC 6962 ---------------------------------------------------------------------------
def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


# --- C2SP tlog-tiles paths ----------------------------------------------------------------
def encode_index(n):
    parts = []
    while True:
        parts.append(n % 1000)
        n //= 1000
        if n == 0:
            break
    parts.reverse()
    return "/".join(("x%03d" % x) for x in parts[:-1]) + ("/" if len(parts) > 1 else "") + "%03d" % parts[-1]


def tile_path(kind, n, width):
    path = "tile/%s/%s" % (kind, encode_index(n))
    return path + (".p/%d" % width if width < 256 else "")


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read()


def main():
    base, vkey = sys.argv[1].rstrip("/"), sys.argv[2].strip()
    name, keyhash, key64 = vkey.split("+", 2)
    key = base64.b64decode(key64)
    assert key[0] == 1 and len(key) == 33, "an Ed25519 verifier key"
    public = key[1:]
    want_hash = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    assert want_hash.hex() == keyhash, "key hash"

    import time
    for _ in range(200):  # the platform signs its first checkpoint within a second of starting
        try:
            note = get(base, "/log/checkpoint").decode()
            break
        except Exception:
            time.sleep(0.1)
    else:
        raise SystemExit("no checkpoint at " + base)
    text, _, sigs = note.partition("\n\n")
    text += "\n"
    ok = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            continue
        signer, sig64 = line[2:].split(" ")
        sig = base64.b64decode(sig64)
        if signer == name and sig[:4] == want_hash:
            ok = ed25519_verify(public, text.encode(), sig[4:])
    assert ok, "the checkpoint's signature does not verify"
    origin, size, root64 = text.splitlines()[:3]
    size, root = int(size), base64.b64decode(root64)

    leaves = []
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        bundle = get(base, "/log/" + tile_path("entries", n, width))
        i, count = 0, 0
        while i < len(bundle):
            length = int.from_bytes(bundle[i : i + 2], "big")
            leaves.append(leaf_hash(bundle[i + 2 : i + 2 + length]))
            i += 2 + length
            count += 1
        assert count == width, "bundle %d has %d entries, want %d" % (n, count, width)
        tile = get(base, "/log/" + tile_path("0", n, width))
        assert tile == b"".join(leaves[n * 256 : n * 256 + width]), "level-0 tile %d differs from its entries" % n
    assert mth(leaves) == root, "the root rebuilt from the entries differs from the checkpoint"
    print("independent check passed: %s, size %d, root %s" % (origin, size, root64))


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    main()
