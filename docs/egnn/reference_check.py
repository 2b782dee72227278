# Cross-check for docs/egnn.md: the reference's EGNN_vel recipe (vgsatorras/egnn n_body_system/main_nbody.py:
# 4 layers x 64, SiLU, recurrent, coordinate mean, Adam 5e-4 wd 1e-12, batch 100, shuffled, validation every
# 5 epochs, test at the best validation) written afresh in PyTorch, trained on SciKernels' cached N-body data
# (run `scikernels train egnn --problem nbody` once to create it).
# Usage: /usr/bin/python3 docs/egnn/reference_check.py EPOCHS [SEED] [DATA_DIR=.cache/data]
import json, struct, sys, time
import numpy as np, torch, torch.nn as nn
torch.set_num_threads(1); torch.manual_seed(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
D = (sys.argv[3] if len(sys.argv) > 3 else '.cache/data').rstrip('/') + '/'
def load(name):
    b = open(D + name, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n]); d = b[8 + n:]
    out = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        s, e = v['data_offsets']; out[k] = torch.tensor(np.frombuffer(d[s:e], dtype=np.float64).reshape(v['shape']), dtype=torch.float32)
    return out
tr, va, te = (load(f'nbody_{s}_seed0_56ae19e2.safetensors') for s in ('train_n3000', 'valid_n2000', 'test_n2000'))
def edges(B):
    r, c = [], []
    for b in range(B):
        for i in range(5):
            for j in range(5):
                if i != j: r.append(5 * b + i); c.append(5 * b + j)
    return torch.tensor(r), torch.tensor(c)
class Egcl(nn.Module):
    def __init__(s, f):
        super().__init__(); a = nn.SiLU()
        s.edge_mlp = nn.Sequential(nn.Linear(2 * f + 1 + 2, f), a, nn.Linear(f, f), a)
        s.node_mlp = nn.Sequential(nn.Linear(2 * f, f), a, nn.Linear(f, f))
        last = nn.Linear(f, 1, bias=False); nn.init.xavier_uniform_(last.weight, gain=0.001)
        s.coord_mlp = nn.Sequential(nn.Linear(f, f), a, last)
        s.coord_mlp_vel = nn.Sequential(nn.Linear(f, f), a, nn.Linear(f, 1))
    def forward(s, h, x, row, col, v, ea):
        diff = x[row] - x[col]; radial = (diff ** 2).sum(1, keepdim=True)
        m = s.edge_mlp(torch.cat([h[row], h[col], radial, ea], 1))
        agg = torch.zeros_like(x).index_add_(0, row, (diff * s.coord_mlp(m)).clamp(-100, 100)) / 4
        x = x + agg + s.coord_mlp_vel(h) * v
        h = h + s.node_mlp(torch.cat([h, torch.zeros(h.shape[0], m.shape[1]).index_add_(0, row, m)], 1))
        return h, x
class EgnnVel(nn.Module):
    def __init__(s):
        super().__init__(); s.embedding = nn.Linear(1, 64); s.layers = nn.ModuleList([Egcl(64) for _ in range(4)])
    def forward(s, loc, vel, q):
        B = loc.shape[0]; row, col = E[B]
        x = loc.reshape(-1, 3); v = vel.reshape(-1, 3); qq = q.reshape(-1)
        ea = torch.cat([(qq[row] * qq[col])[:, None], ((x[row] - x[col]) ** 2).sum(1, keepdim=True)], 1)
        h = s.embedding(v.norm(dim=1, keepdim=True))
        for l in s.layers: h, x = l(h, x, row, col, v, ea)
        return x.reshape(B, 5, 3)
E = {B: edges(B) for B in (100, 500)}
model = EgnnVel(); opt = torch.optim.Adam(model.parameters(), 5e-4, weight_decay=1e-12)
def evaluate(d):
    with torch.no_grad():
        return sum(((model(d['loc'][i:i + 500], d['vel'][i:i + 500], d['charges'][i:i + 500]) - d['loc_end'][i:i + 500]) ** 2).mean().item() * 500 for i in range(0, 2000, 500)) / 2000
best = (1e9, 0, 0); t0 = time.time()
for ep in range(1, int(sys.argv[1]) + 1):
    perm = torch.randperm(3000); tot = 0
    for k in range(30):
        idx = perm[100 * k:100 * k + 100]
        opt.zero_grad(); loss = ((model(tr['loc'][idx], tr['vel'][idx], tr['charges'][idx]) - tr['loc_end'][idx]) ** 2).mean()
        loss.backward(); opt.step(); tot += loss.item()
    if ep % 5 == 0:
        vl = evaluate(va)
        if vl < best[0]: best = (vl, evaluate(te), ep)
        print(f'epoch {ep} train {tot / 30:.5f} val {vl:.5f} best val {best[0]:.5f} test@best {best[1]:.5f} @ {best[2]}  {time.time() - t0:.0f}s', flush=True)
