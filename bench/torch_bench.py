#!/usr/bin/python3
"""make bench-torch: the PyTorch reference for make bench.

The same model as posbench (harness/model/model.h) in plain PyTorch, trained the way bench/bench.c
trains it: forward, cross-entropy over the scored positions (every position, or S per
sequence spread as bench.c spreads them, the head and the last layer past its attention
running on those rows only), backward, gradient clipping at 1.0, AdamW. fp32, no autocast, no torch.compile, 2 threads unless --threads says otherwise.

Each (shape, encoding) runs in its own child process, like bench.c, so that its peak
resident memory is its own and one configuration's allocator state cannot slow the next.
Prints, per configuration: parameter count (compare with `posbench train`'s), the median
tokens/s of the timed steps, model GFLOP/s (bench.c's count) and peak RSS.
"""
import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time

# (d_model, layers, heads, T, batch, vocab, scored positions per sequence or 0 for all):
# bench.c's SHAPES; the first is the main job's.
SHAPES = [(64, 2, 4, 65, 32, 65, 8), (128, 2, 4, 128, 32, 256, 0), (256, 4, 8, 256, 16, 256, 0)]
ENCODINGS = ["nope", "rope", "pope", "tapa"]
NORM_EPS = 1e-5  # harness/model/layers.c
BASE = 10000.0  # rope and pope's default frequency base
TAPA_THETA, TAPA_ALPHA = 0.5, 0.1  # encodings/tapa.c defaults


def scored_positions(T, S):
    """bench.c's lm_batch: S positions ending at the last one, T // S apart (all if S is 0)."""
    if S <= 0:
        return list(range(T))
    every = T // S
    return sorted(T - 1 - every * i for i in range(S))


def build_model(torch, C, L, H, T, V, enc, S=0):
    nn, F = torch.nn, torch.nn.functional
    D = C // H

    class RMSNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(C))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + NORM_EPS) * self.weight

    # Position tables depend only on T: built once, as a PyTorch model would.
    pos = torch.arange(T, dtype=torch.float32)
    scored = None if S <= 0 else torch.tensor(scored_positions(T, S))
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    if enc == "rope":
        # Pairs (x_2i, x_2i+1) rotated by t * base^(-2i/D).
        ang = pos[:, None] * BASE ** (-torch.arange(0, D, 2, dtype=torch.float32) / D)
        rope_cos, rope_sin = ang.cos(), ang.sin()  # (T, D/2)
    elif enc == "pope":
        # D frequencies base^(-c/D); phase t * theta_c.
        ang = pos[:, None] * BASE ** (-torch.arange(D, dtype=torch.float32) / D)  # (T, D)
        pope_cos, pope_sin = ang.cos(), ang.sin()
    elif enc == "tapa":
        A = round(TAPA_THETA * D)
        dist = (pos[:, None] - pos[None, :]).abs()
        # 2 pi |m - n|^alpha, exactly 0 on the diagonal.
        rate = torch.where(dist > 0, 2 * math.pi * dist.clamp(min=1) ** TAPA_ALPHA,
                           torch.zeros(()))

    def rotate(x):  # x (B, H, T, D), interleaved pairs
        x0, x1 = x[..., 0::2], x[..., 1::2]
        return torch.stack((x0 * rope_cos - x1 * rope_sin, x0 * rope_sin + x1 * rope_cos),
                           dim=-1).flatten(-2)

    class Block(nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer
            self.ln1, self.ln2 = RMSNorm(), RMSNorm()
            self.qkv = nn.Linear(C, 3 * C, bias=False)
            self.proj = nn.Linear(C, C, bias=False)
            self.fc1 = nn.Linear(C, 4 * C, bias=False)
            self.fc2 = nn.Linear(4 * C, C, bias=False)

        def attention(self, x, delta):
            B = x.shape[0]
            q, k, v = self.qkv(x).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4)  # (B, H, T, D)
            if enc == "tapa":
                # The whole logit: amplitude * cos(rate * phase), no further scale.
                amp = q[..., :A] @ k[..., :A].transpose(-1, -2) / math.sqrt(A)
                ph = q[..., A:] @ k[..., A:].transpose(-1, -2) / math.sqrt(D - A)
                s = amp * torch.cos(rate * ph)
            else:
                if enc == "rope":
                    q, k = rotate(q), rotate(k)
                elif enc == "pope":
                    mq, mk = F.softplus(q), F.softplus(k)
                    d = delta[self.layer].clamp(-2 * math.pi, 0)[None, :, None, :]  # (1,H,1,D)
                    q = torch.cat((mq * pope_cos, mq * pope_sin), dim=-1)  # width 2D
                    ka = ang + d  # the key's phase is shifted by delta, learned
                    k = torch.cat((mk * ka.cos(), mk * ka.sin()), dim=-1)
                s = q @ k.transpose(-1, -2) / math.sqrt(D)  # PoPE too: 1/sqrt(D), not 2D
            s = s.masked_fill(~causal, float("-inf"))
            y = torch.softmax(s, dim=-1) @ v
            return y.transpose(1, 2).reshape(B, T, C)

        def forward(self, x, delta, rows=None):
            # rows: the last block keeps only the scored rows past its attention, as posbench
            # does (nothing else reads the other rows' output).
            y = self.attention(self.ln1(x), delta)
            if rows is not None:
                x, y = x[:, rows], y[:, rows]
            x = x + self.proj(y)
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(V, C)
            self.blocks = nn.ModuleList(Block(i) for i in range(L))
            self.lnf = RMSNorm()
            self.head = nn.Linear(C, V, bias=False)  # untied
            # PoPE's key phase bias, (layers, heads, D).
            self.delta = (nn.Parameter(-2 * math.pi * torch.rand(L, H, D))
                          if enc == "pope" else None)

        def forward(self, tokens, targets):
            x = self.wte(tokens)
            for i, b in enumerate(self.blocks):
                x = b(x, self.delta, scored if i == L - 1 else None)
            if scored is not None:  # the head on the scored rows only, as posbench does
                targets = targets[:, scored]
            logits = self.head(self.lnf(x))
            return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))

    model = Model()
    # posbench's init (N(0, 0.02) matrices, unit norms): speed should not depend on it, but
    # values in the same range keep softmax/softplus/cos on the same code paths.
    for p in model.parameters():
        if p.dim() == 2:
            torch.nn.init.normal_(p, std=0.02)
    return model


def flops_per_token(C, L, T, V, S=0):
    """bench.c's count: 6 per matmul weight plus 12 L T C for attention; the head's weights
    and the last layer's past its attention (9 C^2) for the scored fraction of the tokens."""
    f = (S if S > 0 else T) / T
    return 6 * ((L - 1) * 12 * C * C + 3 * C * C + 9 * C * C * f + V * C * f) + 12 * L * T * C


def run_one(args, shape, enc):
    """One configuration in this process; prints one tab-separated result line."""
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    C, L, H, T, B, V, S = shape
    model = build_model(torch, C, L, H, T, V, enc, S)
    # Weight decay on matrices only (embedding, projections, head), as posbench does.
    decay = [p for p in model.parameters() if p.dim() == 2]
    other = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": other, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.99), eps=1e-8,
                            foreach=True if args.foreach else None)
    n_params = sum(p.numel() for p in model.parameters())
    tokens = torch.randint(V, (B, T))
    targets = torch.randint(V, (B, T))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model(tokens, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(args.warmup):
        step()
    tps = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        tps.append(B * T / (time.perf_counter() - t0))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n_params}\t{statistics.median(tps)}\t{min(tps)}\t{max(tps)}\t{rss_mib}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("encodings", nargs="*", metavar="ENCODING",
                    help="any of " + " ".join(ENCODINGS) + " (all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first (3)")
    ap.add_argument("--steps", type=int, default=10, help="timed steps; median taken (10)")
    ap.add_argument("--shape", type=int, help="one shape only: an index into SHAPES (all)")
    ap.add_argument("--foreach", action="store_true",
                    help="AdamW's multi-tensor path (1.13's default on CPU is off)")
    ap.add_argument("--one", nargs=2, metavar=("SHAPE", "ENC"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        return run_one(args, SHAPES[int(args.one[0])], args.one[1])
    for e in args.encodings:
        if e not in ENCODINGS:
            ap.error(f"unknown encoding '{e}' (choose from {' '.join(ENCODINGS)})")

    import torch  # only for the header; children import it again
    print(f"torch bench: PyTorch {torch.__version__}, {args.threads} threads, fp32, "
          f"median of {args.steps} timed steps after {args.warmup} warm-up steps; "
          f"load average {os.getloadavg()[0]:.2f}")
    # On 2 cores with a busy neighbour, libgomp's spinning threads wait on descheduled ones:
    # at load ~3.5, torch at 2 threads fell from ~8k to 0.27k tokens/s, and back to ~8-9k
    # with OMP_WAIT_POLICY=PASSIVE (posbench lost about half).
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > 0.5:
        hint = ("; with several threads they mostly measure contention "
                "(compare OMP_WAIT_POLICY=PASSIVE or --threads 1)")
        print(f"warning: load average {load:.2f} on {cores} cores: other work is running, "
              f"timings are low and noisy{hint if args.threads > 1 else ''}")
    print(f"{'shape':40} {'pe':6} {'params':>9} {'tok/s':>9} {'min-max':>13} "
          f"{'GFLOP/s':>8} {'RSS MiB':>8}", flush=True)
    child = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads),
             "--warmup", str(args.warmup), "--steps", str(args.steps)]
    if args.foreach:
        child.append("--foreach")
    failed = 0
    for i, (C, L, H, T, B, V, S) in enumerate(SHAPES):
        if args.shape is not None and i != args.shape:
            continue
        for enc in args.encodings or ENCODINGS:
            r = subprocess.run(child + ["--one", str(i), enc], stdout=subprocess.PIPE, text=True)
            if r.returncode != 0:
                failed = 1
                continue
            n, med, lo, hi, rss = r.stdout.split("\t")
            med = float(med)
            name = f"d={C:<3} L={L} H={H} T={T:<3} B={B:<2} S={S if S else 'all':<3}"
            print(f"{name:40} {enc:6} {int(n):9d} {med:9.0f} "
                  f"{float(lo):6.0f}-{float(hi):<6.0f} "
                  f"{med * flops_per_token(C, L, T, V, S) / 1e9:8.1f} {float(rss):8.0f}", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
