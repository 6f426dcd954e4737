#!/usr/bin/python3
"""An independent float64 reference of posbench's model, for checking `posbench eval`.

Written from docs/model.md (the model's numerical conventions) and docs/formats.md (the
checkpoint, dataset and token file layouts) alone, not from the C sources. It reads a
posbench checkpoint and either a dataset file (.pbds) or a token file, runs the model in
float64 with PyTorch, and prints the mean next-token loss (nats) over the scored positions
and the accuracy (argmax equal to the target, ties to the lowest token id), as
`posbench eval CHECKPOINT FILE` does.

What it covers: both norms (RMSNorm, LayerNorm), every built-in encoding with all of its
options (nope, sinusoidal, learned with beyond=clamp, rope with the pi, ntk and yarn scalings,
pope with either delta_clamp, tapa, alibi for any head count, t5, kerple, xpos). What it does
not: encoding plugins, training, the sliding-window and per-position evaluations of a run.
posbench computes in float32, so the two agree to about 1e-6 relative, not to the bit.

Batches are built as docs/model.md states: a dataset's sequences in file order, 64 per
batch, every row padded with token 0 to T = the longest sequence's length minus 1, positions
0 .. T-1 (the padding only matters to xPos's centre, and there only through rounding); a
token file's lines one at a time, T = the line's length minus 1, every target scored.

Needs PyTorch (Debian: python3-torch); it is imported only once the arguments are read.
tools/make_reference_fixtures.sh uses this script to write tests/fixtures/reference/.
"""
import argparse
import json
import math
import struct
import sys

EVAL_BATCH = 64  # rows per batch of a dataset evaluation (docs/model.md)
NORM_EPS = 1e-5

# Every built-in encoding's options with their defaults (posbench list encodings). Values are
# numbers, but for the enumerations below, which are words.
ENCODING_DEFAULTS = {
    "nope": {},
    "sinusoidal": {"base": 10000.0, "scale": 1.0},
    "learned": {"max_len": 1024.0, "beyond": "clamp"},
    "rope": {"base": 10000.0, "scaling": "none", "factor": 1.0, "orig_len": 1024.0,
             "alpha": 1.0, "beta": 32.0},
    "pope": {"base": 10000.0, "delta_init": "uniform", "delta_clamp": "forward"},
    "tapa": {"theta": 0.5, "alpha": 0.1},
    "alibi": {},
    "t5": {"num_buckets": 32.0, "max_distance": 128.0},
    "kerple": {},
    "xpos": {"base": 10000.0, "scale_base": 512.0, "gamma": 0.4},
}
ENUMERATIONS = {
    "scaling": ["none", "pi", "ntk", "yarn"],
    "delta_init": ["uniform", "zero"],
    "delta_clamp": ["forward", "project"],
    "beyond": ["clamp", "error"],
}

torch = None  # imported by main()


class FormatError(Exception):
    pass


def fnv1a64(data):
    """FNV-1a 64 of bytes, the checksum of checkpoints and dataset files."""
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class Reader:
    """Little-endian fields read in order from a byte string."""

    def __init__(self, data, path):
        self.data, self.path, self.at = data, path, 0

    def take(self, n):
        if self.at + n > len(self.data):
            raise FormatError(f"{self.path}: truncated file")
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def unpack(self, fmt):
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values if len(values) > 1 else values[0]

    def padded_text(self, n):
        return self.take(n).split(b"\0")[0].decode()


def verify_checksum(data, path):
    if len(data) < 8 or struct.unpack("<Q", data[-8:])[0] != fnv1a64(data[:-8]):
        raise FormatError(f"{path}: checksum mismatch (truncated or corrupt)")


def parse_options(encoding, text):
    """The checkpoint's canonical option string over the encoding's defaults."""
    if encoding not in ENCODING_DEFAULTS:
        raise FormatError(f"encoding '{encoding}' is not a built-in one")
    options = dict(ENCODING_DEFAULTS[encoding])
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        if key not in options:
            raise FormatError(f"{encoding}: unknown option '{key}'")
        if key in ENUMERATIONS:
            words = ENUMERATIONS[key]
            options[key] = words[int(float(value))] if value not in words else value
        else:
            options[key] = float(value)
    return options


def load_checkpoint(path):
    """A checkpoint (docs/formats.md) as a dict: shape, norm, encoding, options, tensors."""
    with open(path, "rb") as f:
        data = f.read()
    verify_checksum(data, path)
    r = Reader(data[:-8], path)
    if r.take(8) != b"PBCKPT\r\n":
        raise FormatError(f"{path}: not a posbench checkpoint")
    version = r.unpack("I")
    if version not in (1, 2):
        raise FormatError(f"{path}: checkpoint version {version}, expected 1 or 2")
    vocab, d_model, n_layers, n_heads, norm, n_tensors = r.unpack("6I")
    encoding = r.padded_text(32 if version == 1 else 64)
    options = parse_options(encoding, r.padded_text(256))
    tensors = {}
    for _ in range(n_tensors):
        name = r.padded_text(24)
        ndim, *dims = r.unpack("4I")
        shape = dims[:ndim]
        count = math.prod(shape)
        values = struct.unpack(f"<{count}f", r.take(4 * count))
        tensors[name] = torch.tensor(values, dtype=torch.float64).reshape(shape)
    if r.at != len(r.data):
        raise FormatError(f"{path}: bytes after the last tensor")
    if d_model % n_heads:
        raise FormatError(f"{path}: d_model {d_model} not divisible by {n_heads} heads")
    return {"vocab": vocab, "C": d_model, "L": n_layers, "H": n_heads,
            "layernorm": norm == 1, "encoding": encoding, "options": options,
            "w": tensors}


def load_dataset(path):
    """A .pbds file (docs/formats.md) as (vocab_size, [(tokens, mask), ...])."""
    with open(path, "rb") as f:
        data = f.read()
    verify_checksum(data, path)
    r = Reader(data[:-8], path)
    if r.take(8) != b"PBDATA\r\n":
        raise FormatError(f"{path}: not a posbench dataset")
    version = r.unpack("I")
    if version != 1:
        raise FormatError(f"{path}: dataset version {version}, expected 1")
    for _ in range(2):  # task name, options
        r.take(r.unpack("H"))
    r.unpack("Q")  # the generator's seed
    vocab = r.unpack("I")
    for _ in range(vocab):  # token names
        r.take(r.unpack("B"))
    sequences = []
    while True:
        n = r.unpack("I")
        if n == 0xFFFFFFFF:
            break
        tokens = list(struct.unpack(f"<{n}H", r.take(2 * n)))
        mask = list(r.take(n))
        sequences.append((tokens, mask))
    if r.unpack("Q") != len(sequences) or r.at != len(r.data):
        raise FormatError(f"{path}: sequence count or length inconsistent")
    return vocab, sequences


def load_token_file(path):
    """A token file: one sequence per line; every token after the first is scored."""
    sequences = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            try:
                tokens = [int(t) for t in line.split()]
            except ValueError:
                raise FormatError(f"{path}:{lineno}: expected token ids") from None
            if len(tokens) >= 2:
                sequences.append((tokens, [1] * (len(tokens) - 1) + [0]))
    return sequences


# ---- the model (docs/model.md, "The forward pass" and "Norms") ----

def norm(x, weight, bias):
    """RMSNorm when bias is None, LayerNorm otherwise; over the last dimension."""
    if bias is None:
        return x * weight / torch.sqrt((x * x).mean(-1, keepdim=True) + NORM_EPS)
    centred = x - x.mean(-1, keepdim=True)
    var = (centred * centred).mean(-1, keepdim=True)
    return centred / torch.sqrt(var + NORM_EPS) * weight + bias


def gelu(u):
    return 0.5 * u * (1 + torch.tanh(math.sqrt(2 / math.pi) * (u + 0.044715 * u ** 3)))


def rotate_pairs(x, angle):
    """Rotates interleaved pairs (x[2i], x[2i+1]) of the last dimension by angle[..., i]."""
    even, odd = x[..., 0::2], x[..., 1::2]
    cos, sin = torch.cos(angle), torch.sin(angle)
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), -1).flatten(-2)


def rope_frequencies(o, D):
    """theta_i for pair i of a head of width D under RoPE's scalings, and the yarn factor
    applied to q and k (1 otherwise)."""
    i = torch.arange(D // 2, dtype=torch.float64)
    base, s = o["base"], o.get("factor", 1.0)
    scaling = o.get("scaling", "none")
    if scaling == "ntk" and D > 2:
        base = base * s ** (D / (D - 2))
    theta = base ** (-2 * i / D)
    if scaling == "pi":
        return theta / s, 1.0
    if scaling == "yarn":
        r = o["orig_len"] * theta / (2 * math.pi)
        alpha, beta = o["alpha"], o["beta"]
        if beta > alpha:
            g = ((r - alpha) / (beta - alpha)).clamp(0, 1)
        else:
            g = (r >= beta).double()
        return (1 - g) * theta / s + g * theta, 0.1 * math.log(s) + 1
    return theta, 1.0


def input_signal(m, pos):
    """The (T, C) signal an input-hook encoding adds to the embeddings, or None."""
    enc, o, C = m["encoding"], m["options"], m["C"]
    if enc == "sinusoidal":
        pairs = torch.arange(C // 2, dtype=torch.float64)
        angle = pos[:, None] * o["base"] ** (-2 * pairs / C)[None, :]
        signal = torch.stack((torch.sin(angle), torch.cos(angle)), -1).flatten(-2)
        if C % 2:
            last = torch.sin(pos * o["base"] ** (-(C - 1) / C))
            signal = torch.cat((signal, last[:, None]), 1)
        return o["scale"] * signal
    if enc == "learned":
        max_len = int(o["max_len"])
        rows = pos.floor().clamp(0, max_len - 1).long()
        return m["w"]["pe"].reshape(max_len, C)[rows]
    return None


def transform_qk(m, layer, q, k, pos):
    """The q/k transform of rope, xpos and pope; q, k are (B, H, T, D)."""
    enc, o, H = m["encoding"], m["options"], m["H"]
    D = q.shape[-1]
    if enc in ("rope", "xpos"):
        theta, factor = rope_frequencies(o, D)
        angle = pos[:, None] * theta[None, :]  # (T, D/2)
        q, k = rotate_pairs(q, angle) * factor, rotate_pairs(k, angle) * factor
        if enc == "xpos" and o["scale_base"] > 0:
            i = torch.arange(D // 2, dtype=torch.float64)
            zeta = (2 * i / D + o["gamma"]) / (1 + o["gamma"])
            centre = (pos.min() + pos.max()) / 2
            x = ((pos - centre)[:, None] / o["scale_base"] * torch.log(zeta)[None, :])
            x = x.clamp(-80, 80).repeat_interleave(2, -1)  # one exponent per pair
            q, k = q * torch.exp(x), k * torch.exp(-x)
    elif enc == "pope":
        theta = o["base"] ** (-torch.arange(D, dtype=torch.float64) / D)
        delta = m["w"]["pe"].reshape(-1, H, D)[layer]  # (H, D)
        if o["delta_clamp"] == "forward":
            delta = delta.clamp(-2 * math.pi, 0)
        angle = pos[:, None] * theta[None, :]  # (T, D)
        key_angle = angle[None, :, :] + delta[:, None, :]  # (H, T, D)
        mq = torch.nn.functional.softplus(q)
        mk = torch.nn.functional.softplus(k)
        q = torch.cat((mq * torch.cos(angle), mq * torch.sin(angle)), -1)
        k = torch.cat((mk * torch.cos(key_angle), mk * torch.sin(key_angle)), -1)
    return q, k


def t5_bucket(d, N, M):
    E = N // 2
    if d < E:
        return d
    if d >= M:
        return N - 1
    return min(E + math.floor(math.log(d / E) / math.log(M / E) * (N - E)), N - 1)


def attention_bias(m, layer, dist):
    """The (H, T, T) bias of alibi, t5 and kerple at distances dist = p_i - p_j, or 0."""
    enc, o, H = m["encoding"], m["options"], m["H"]
    if enc == "alibi":
        n0 = 1 << (H.bit_length() - 1)  # the largest power of two <= H
        slopes = [2.0 ** (-8 * (h + 1) / n0) if h < n0 else 2.0 ** (-4 * (2 * (h - n0) + 1) / n0)
                  for h in range(H)]
        return -torch.tensor(slopes)[:, None, None] * dist.abs()
    if enc == "t5":
        N, M = int(o["num_buckets"]), int(o["max_distance"])
        table = m["w"]["pe"].reshape(-1, H, N)[layer]  # (H, N)
        d = torch.where(dist >= 1, dist.trunc(), torch.zeros(())).long()
        lookup = torch.tensor([t5_bucket(x, N, M) for x in range(int(d.max()) + 1)])
        return table[:, lookup[d]]
    if enc == "kerple":
        r = m["w"]["pe"].reshape(-1, H, 2)[layer]
        r1, r2 = r[:, 0, None, None], r[:, 1, None, None]
        return -r1 * torch.log(1 + r2 * dist.abs())
    return 0.0


def tapa_logits(o, q, k, dist):
    """TAPA's whole logit: amplitude * cos(2 pi |p_i - p_j|^alpha * phase)."""
    D = q.shape[-1]
    A = math.floor(o["theta"] * D + 0.5)  # round half away from zero (theta * D > 0)
    P = D - A
    amplitude = q[..., :A] @ k[..., :A].transpose(-1, -2) / math.sqrt(A)
    phase = q[..., A:] @ k[..., A:].transpose(-1, -2) / math.sqrt(P)
    r = dist.abs()
    rate = torch.where(r > 0, 2 * math.pi * r ** o["alpha"], torch.zeros(()))
    return amplitude * torch.cos(rate * phase)


def attention(m, layer, qkv, pos):
    """Causal multi-head attention of (B, T, 3C) qkv; returns (B, T, C)."""
    B, T, _ = qkv.shape
    C, H = m["C"], m["H"]
    D = C // H
    q, k, v = (part.reshape(B, T, H, D).transpose(1, 2) for part in qkv.split(C, -1))
    dist = pos[:, None] - pos[None, :]  # (T, T): p_i - p_j
    q, k = transform_qk(m, layer, q, k, pos)
    if m["encoding"] == "tapa":
        logits = tapa_logits(m["options"], q, k, dist)
    else:
        logits = q @ k.transpose(-1, -2) / math.sqrt(D)  # 1/sqrt(D) even for PoPE's 2D
    logits = logits + attention_bias(m, layer, dist)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    weights = torch.softmax(logits.masked_fill(~causal, float("-inf")), -1)
    return (weights @ v).transpose(1, 2).reshape(B, T, C)


def forward(m, tokens, pos):
    """Logits (B, T, V) of a (B, T) batch of token ids at positions pos (T)."""
    w, ln = m["w"], m["layernorm"]
    x = w["wte"][tokens]  # no scaling by sqrt(C)
    signal = input_signal(m, pos)
    if signal is not None:
        x = x + signal
    for l in range(m["L"]):
        h = norm(x, w["ln1_w"][l], w["ln1_b"][l] if ln else None)
        x = x + attention(m, l, h @ w["qkv_w"][l].T, pos) @ w["proj_w"][l].T
        u = norm(x, w["ln2_w"][l], w["ln2_b"][l] if ln else None)
        x = x + gelu(u @ w["fc1_w"][l].T) @ w["fc2_w"][l].T
    return norm(x, w["lnf_w"], w["lnf_b"] if ln else None) @ w["head_w"].T


def score(m, batches):
    """Summed loss, correct count, scored count and smallest top-two logit gap over batches
    of (tokens, mask) rows padded to one width."""
    loss_sum, correct, scored, min_gap = 0.0, 0, 0, math.inf
    for rows in batches:
        T = max(len(tokens) for tokens, _ in rows) - 1
        inputs = torch.zeros(len(rows), T, dtype=torch.long)
        targets = torch.zeros(len(rows), T, dtype=torch.long)
        scored_at = torch.zeros(len(rows), T, dtype=torch.bool)
        for b, (tokens, mask) in enumerate(rows):
            n = len(tokens) - 1
            inputs[b, :n] = torch.tensor(tokens[:-1])
            targets[b, :n] = torch.tensor(tokens[1:])
            scored_at[b, :n] = torch.tensor(mask[:-1], dtype=torch.bool)
        z = forward(m, inputs, torch.arange(T, dtype=torch.float64))[scored_at]  # (S, V)
        y = targets[scored_at]
        loss_sum += (torch.logsumexp(z, -1) - z.gather(1, y[:, None])[:, 0]).sum().item()
        correct += (z.argmax(-1) == y).sum().item()  # argmax: the first of equal maxima
        scored += len(y)
        if z.shape[1] > 1 and len(y):
            top2 = z.topk(2, -1).values
            min_gap = min(min_gap, (top2[:, 0] - top2[:, 1]).min().item())
    return loss_sum, correct, scored, min_gap


def main():
    ap = argparse.ArgumentParser(
        description="Float64 reference of posbench's model (written from docs/model.md): "
                    "the mean loss and accuracy of a checkpoint on a dataset (.pbds) or "
                    "token file, as `posbench eval CHECKPOINT FILE` computes them.")
    ap.add_argument("checkpoint", help="a posbench checkpoint (.ckpt)")
    ap.add_argument("data", help="a dataset file (.pbds): the positions its mask scores; "
                                 "otherwise a token file: every token after a line's first")
    ap.add_argument("--diff", metavar="OTHER",
                    help="instead of evaluating: print, as JSON, each tensor's largest "
                         "absolute difference from the same tensor of the checkpoint OTHER "
                         "(e.g. the same model at init: did training move every tensor?); "
                         "DATA is then not read and may be '-'")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON object: loss, accuracy, scored, sequences, "
                         "min_gap (the smallest gap between the two largest logits at a "
                         "scored position: how close the accuracy is to flipping)")
    args = ap.parse_args()

    global torch
    try:
        import torch as torch_module
    except ImportError:
        sys.exit("tools/reference.py needs PyTorch (Debian: apt install python3-torch)")
    torch = torch_module
    torch.set_default_dtype(torch.float64)

    try:
        m = load_checkpoint(args.checkpoint)
        if args.diff:
            other = load_checkpoint(args.diff)["w"]
            if other.keys() != m["w"].keys():
                raise FormatError(f"{args.diff}: other tensors than {args.checkpoint}'s")
            print(json.dumps({name: (t - other[name]).abs().max().item()
                              for name, t in m["w"].items()}))
            return
        if args.data.endswith(".pbds"):
            vocab, sequences = load_dataset(args.data)
            if vocab > m["vocab"]:
                raise FormatError(f"{args.data}: {vocab} token kinds, more than the "
                                  f"model's vocabulary of {m['vocab']}")
            batches = [sequences[i:i + EVAL_BATCH]
                       for i in range(0, len(sequences), EVAL_BATCH)]
        else:
            sequences = load_token_file(args.data)
            batches = [[s] for s in sequences]
    except (OSError, FormatError, ValueError) as e:
        sys.exit(f"reference.py: {e}")
    if any(t >= m["vocab"] for tokens, _ in sequences for t in tokens):
        sys.exit(f"reference.py: {args.data}: a token id beyond the model's vocabulary")

    with torch.no_grad():
        loss_sum, correct, scored, min_gap = score(m, batches)
    if scored == 0:
        sys.exit(f"reference.py: {args.data}: no scored positions")
    loss, accuracy = loss_sum / scored, correct / scored
    if args.json:
        print(json.dumps({"loss": loss, "accuracy": accuracy, "scored": scored,
                          "sequences": len(sequences), "min_gap": min_gap}))
    else:
        print(f"mean loss {loss:.12f}, accuracy {accuracy:.12f} over {scored} scored tokens "
              f"of {len(sequences)} sequences")


if __name__ == "__main__":
    main()
