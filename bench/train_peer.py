#!/usr/bin/env python3
"""The training benchmark's peer: the same Llama step in PyTorch (Debian's python3-torch).

Reads DIR/config.json, DIR/model.safetensors (F32) and DIR/batch.json, written by
`PaDeLLM.Bench training`; writes the first step's loss and gradients (DIR/peer_grads.bin, F32,
parameters in name order) and times full steps: forward, backward, clip, AdamW. Prints one JSON line.
"""
import json, math, os, struct, sys, time

import numpy as np
import torch

d, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
cfg = json.load(open(f"{d}/config.json"))
batch = json.load(open(f"{d}/batch.json"))

with open(f"{d}/model.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    blob = f.read()
params = {}
for name, info in header.items():
    if name == "__metadata__":
        continue
    a, b = info["data_offsets"]
    arr = np.frombuffer(blob[a:b], dtype=np.float32).reshape(info["shape"]).copy()
    params[name] = torch.nn.Parameter(torch.from_numpy(arr))

H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
hd = H // nh
eps, theta = cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
L = cfg["num_hidden_layers"]
tokens = torch.tensor(batch["tokens"], dtype=torch.long)  # [B, T]
B, T = tokens.shape
inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
ang = torch.outer(torch.arange(T, dtype=torch.float32), inv)
cos, sin = torch.cat([ang.cos(), ang.cos()], -1), torch.cat([ang.sin(), ang.sin()], -1)
mask = torch.full((T, T), float("-inf")).triu(1)


def norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x):
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def loss_fn():
    p = params
    x = p["model.embed_tokens.weight"][tokens]
    for l in range(L):
        q = f"model.layers.{l}."
        h = norm(x, p[q + "input_layernorm.weight"])
        Q = (h @ p[q + "self_attn.q_proj.weight"].T).view(B, T, nh, hd).transpose(1, 2)
        K = (h @ p[q + "self_attn.k_proj.weight"].T).view(B, T, nkv, hd).transpose(1, 2)
        V = (h @ p[q + "self_attn.v_proj.weight"].T).view(B, T, nkv, hd).transpose(1, 2)
        Q, K = rope(Q), rope(K)
        att = torch.softmax(Q @ K.transpose(-1, -2) / math.sqrt(hd) + mask, -1) @ V
        x = x + att.transpose(1, 2).reshape(B, T, H) @ p[q + "self_attn.o_proj.weight"].T
        h = norm(x, p[q + "post_attention_layernorm.weight"])
        g, u = h @ p[q + "mlp.gate_proj.weight"].T, h @ p[q + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ p[q + "mlp.down_proj.weight"].T
    x = norm(x, p["model.norm.weight"])
    head = p["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else p["lm_head.weight"]
    logits = x[:, :-1] @ head.T
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))


names = sorted(params)
loss = loss_fn()
loss.backward()
with open(f"{d}/peer_grads.bin", "wb") as f:
    for name in names:
        f.write(params[name].grad.detach().numpy().astype(np.float32).tobytes())
first_loss = loss.item()

opt = torch.optim.AdamW([params[k] for k in names], lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)


def step():
    opt.zero_grad(set_to_none=False)
    loss_fn().backward()
    torch.nn.utils.clip_grad_norm_([params[k] for k in names], 1.0)
    opt.step()


for _ in range(2):
    step()
start = time.perf_counter()
for _ in range(steps):
    step()
seconds = time.perf_counter() - start
# Debian builds torch against the generic libblas.so.3: the BLAS is whatever that alternative points to.
blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
print(json.dumps({
    "torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas,
    "loss": first_loss, "tokens_per_s": steps * B * T / seconds, "seconds_per_step": seconds / steps,
}))
