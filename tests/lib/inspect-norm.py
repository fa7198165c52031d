#!/usr/bin/env python3
"""inspect-norm.py MODE FILE - one side's `inspect` output for t0870.

MODE "format": exit 0 when FILE is exactly what the docker CLI prints for
its own data (json.Indent with four spaces: Python's dump with indent=4
and the same key order gives the same bytes for this data).

MODE "mask": prints the array with what cannot match between berth and
a dockerd masked, keys in the order given (so key order is compared):
  - IDs: every 64-hex string (container, image, mount IDs) and a
    12-hex Hostname (the default, id[:12]);
  - times: Created, State.StartedAt and FinishedAt unless zero;
  - State.Pid unless 0;
  - paths under either root (BERTH_ROOT_DIR, DOCKER_ROOT_DIR) and exec
    root (DOCKER_EXEC_DIR): the prefix becomes <ROOT>/<EXEC>;
  - NetworkSettings.SandboxID and SandboxKey (dockerd makes a network
    sandbox; berth has none yet), Config.NetworkDisabled (dockerd's
    --bridge=none sets it at start);
  - fields create stores differently (not inspect's doing; reported on
    stderr when they differ): HostConfig.BlkioDevice{Read,Write}{Bps,IOps},
    HostConfig.PidsLimit, HostConfig.Ulimits, Config.Volumes.
"""
import collections
import json
import os
import re
import sys

HEX64 = re.compile(r"[0-9a-f]{64}")
HEX12 = re.compile(r"^[0-9a-f]{12}$")
ZERO = "0001-01-01T00:00:00Z"
CREATE_SIDE = [("HostConfig", k) for k in ("BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                                          "BlkioDeviceWriteIOps", "PidsLimit", "Ulimits")] + [("Config", "Volumes")]


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text, json.loads(text, object_pairs_hook=collections.OrderedDict)


def mask_str(s):
    for env, tag in (("BERTH_ROOT_DIR", "<ROOT>"), ("DOCKER_ROOT_DIR", "<ROOT>"), ("DOCKER_EXEC_DIR", "<EXEC>")):
        d = os.environ.get(env)
        if d:
            s = s.replace(d, tag)
    return HEX64.sub("<ID>", s)


def walk(v):
    if isinstance(v, dict):
        return collections.OrderedDict((k, walk(x)) for k, x in v.items())
    if isinstance(v, list):
        return [walk(x) for x in v]
    if isinstance(v, str):
        return mask_str(v)
    return v


def mask(o):
    o = walk(o)
    if o.get("Created"):
        o["Created"] = "<TIME>"
    st = o.get("State") or {}
    for k in ("StartedAt", "FinishedAt"):
        if st.get(k, ZERO) != ZERO:
            st[k] = "<TIME>"
    if st.get("Pid"):
        st["Pid"] = "<PID>"
    cfg = o.get("Config") or {}
    if HEX12.match(cfg.get("Hostname", "")):
        cfg["Hostname"] = "<ID12>"
    cfg.pop("NetworkDisabled", None)
    ns = o.get("NetworkSettings") or {}
    for k in ("SandboxID", "SandboxKey"):
        if k in ns:
            ns[k] = "<MASKED>"
    side = collections.OrderedDict()
    for sect, k in CREATE_SIDE:
        if k in (o.get(sect) or {}):
            side["%s.%s" % (sect, k)] = o[sect][k]
            o[sect][k] = "<CREATE>"
    return o, side


def main():
    mode, path = sys.argv[1], sys.argv[2]
    text, doc = load(path)
    if mode == "format":
        want = json.dumps(doc, indent=4, ensure_ascii=False) + "\n"
        sys.exit(0 if text == want else 1)
    out, sides = [], []
    for o in doc:
        m, side = mask(o)
        out.append(m)
        sides.append(side)
    print(json.dumps(out, indent=4, ensure_ascii=False))
    print(json.dumps(sides), file=sys.stderr)


main()
