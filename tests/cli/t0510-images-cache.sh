#!/usr/bin/env bash
# t0510-images-cache: the image summaries cache (<root>/berth/image-summaries)
# never changes what `images` prints: images added or removed behind
# berth's back (as a dockerd sharing the root would) show up or go, a
# damaged cache file is ignored and rewritten, and removed images drop out
# of it.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
C=$B/berth/image-summaries
t_ok "registry starts" start_registry main || t_done
t_ok "test images build and push" push_test_images "$REGISTRY" busybox bbchild edge-v2s2 || t_done
berth_cfg
for r in busybox "$REGISTRY/test/bbchild" "$REGISTRY/test/edge"; do berth pull -q "$r" >/dev/null; done

fmt='{{.Repository}}:{{.Tag}} {{.ID}} {{.CreatedAt}} {{.Size}}'
# without the cache: what the configs and layers say
expected() { rm -f "$C"; berth images --format "$fmt"; rm -f "$C"; }
want=$(expected)
t_eq "first listing (writes the cache)" "$(berth images --format "$fmt")" "$want"
t_ok "the cache exists" test -s "$C"
t_eq "second listing (from the cache)" "$(berth images --format "$fmt")" "$want"
t_eq "one line per image" "$(wc -l <"$C")" "$(berth images -q | sort -u | wc -l)"

# An image added behind berth's back: a config written into imagedb and
# a name into repositories.json (as docker would).
id=$(berth images -q --no-trunc busybox)
"$PY" - "$B/image/overlay2" "$id" <<'PY'
import hashlib, json, sys
root, base = sys.argv[1], sys.argv[2]
cfg = json.load(open(f"{root}/imagedb/content/sha256/{base[7:]}"))
cfg["created"] = "2021-06-01T00:00:00Z"
cfg.setdefault("config", {})["Labels"] = {"added": "behind"}
data = json.dumps(cfg, separators=(",", ":")).encode()
h = hashlib.sha256(data).hexdigest()
open(f"{root}/imagedb/content/sha256/{h}", "wb").write(data)
refs = json.load(open(f"{root}/repositories.json"))
refs["Repositories"].setdefault("added", {})["added:latest"] = "sha256:" + h
open(f"{root}/repositories.json", "w").write(json.dumps(refs, separators=(",", ":"), sort_keys=True))
PY
want=$(expected)
berth images >/dev/null
t_eq "an image added behind berth's back is listed" "$(berth images --format "$fmt")" "$want"
t_ok "  with its size" bash -c "berth() { \"\$BERTH\" --root '$B' \"\$@\"; }; berth images --format '{{.Repository}} {{.Size}}' added | grep -qx 'added 1.98MB'"
t_eq "  and its labels (filter)" "$(berth images --filter label=added=behind --format '{{.Repository}}')" "added"

# An image removed behind berth's back: its config and name gone.
hex=$(berth images -q --no-trunc added); hex=${hex#sha256:}
rm "$B/image/overlay2/imagedb/content/sha256/$hex"
"$PY" - "$B/image/overlay2/repositories.json" <<'PY'
import json, sys
p = sys.argv[1]; refs = json.load(open(p)); del refs["Repositories"]["added"]
open(p, "w").write(json.dumps(refs, separators=(",", ":"), sort_keys=True))
PY
want=$(expected)
berth images >/dev/null
t_eq "an image removed behind berth's back is gone" "$(berth images --format "$fmt")" "$want"
t_ok "  and dropped from the cache" bash -c "! grep -q '^$hex ' '$C'"

# A damaged cache file is ignored and rewritten.
printf 'garbage\nzzzz 1 2 3 null\n' >"$C"
t_eq "a damaged cache is ignored" "$(berth images --format "$fmt")" "$want"
t_eq "  and rewritten" "$(wc -l <"$C")" "$(berth images -q | sort -u | wc -l)"
head -c 100 /dev/urandom >"$C"
t_eq "random bytes as cache" "$(berth images --format "$fmt")" "$want"

# rmi: the removed image leaves the cache at the next listing.
hex=$(berth images -q --no-trunc "$REGISTRY/test/edge"); hex=${hex#sha256:}
berth rmi "$REGISTRY/test/edge" >/dev/null
want=$(expected)
t_eq "after rmi" "$(berth images --format "$fmt")" "$want"
t_ok "  the removed image left the cache" bash -c "! grep -q '^$hex ' '$C'"
t_done
