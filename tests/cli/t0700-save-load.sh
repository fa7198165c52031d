#!/usr/bin/env bash
# t0700-save-load: save, load and import against docker 20.10 and OCI tools.
#   * docker save -> berth load: the store berth builds is the one Docker
#     has (compare-stores.py: image IDs, layerdb, tar-split, layer trees),
#     and load prints what docker load prints;
#   * berth save -> docker load: same image IDs, and a container runs;
#   * skopeo reads berth's archives as docker-archive and as oci-archive;
#   * berth save | berth load round-trips to an identical store, also
#     gzip/zstd/xz-compressed and from an OCI layout alone;
#   * a file changed in a layer dir makes save fail naming the file;
#   * berth import and docker import of the same tar: same diff ID and
#     config (creation time and version aside), and the same errors;
#   * hostile archives (tests/lib/hostile-archives.py) are refused with
#     one line, nothing added to the store and nothing written outside it.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
IMGS=()

snapshot() {	# snapshot ROOT - everything in a store but the lock file
	(cd "$1" && find . -mindepth 1 ! -name berth.lock | LC_ALL=C sort
	 cat image/overlay2/repositories.json 2>/dev/null)
}

setup() {
	t_ok "registry starts" start_registry main || return 1
	t_ok "test images build and push" push_test_images || return 1
	berth_cfg
	E=$REGISTRY/test/edge
	IMGS=(busybox "$E:latest" "$E:oci")
	local r ok=0
	for r in "${IMGS[@]}"; do
		berth pull -q "$r" >/dev/null 2>&1 || { t_diag "berth pull $r failed"; ok=1; }
	done
	t_ok "images pulled into berth" test "$ok" = 0
}

# ---- berth save | berth load ------------------------------------------

roundtrip() {
	local ok=0 id
	t_ok "save -o (3 images)" berth save -o "$T/b.tar" "${IMGS[@]}"
	t_ok "every blob hashes to its name" bash -c '
		mkdir -p "$1/x" && tar -xf "$2" -C "$1/x" && cd "$1/x/blobs/sha256" &&
		for f in *; do [ "$(sha256sum "$f" | cut -c1-64)" = "$f" ] || { echo "bad $f"; exit 1; }; done' _ "$T" "$T/b.tar"
	BERTH_ROOT=$T/rt berth load -i "$T/b.tar" >"$T/load.out" 2>&1
	t_eq "load prints the tags" "$(cat "$T/load.out")" "$(printf 'Loaded image: busybox:latest\nLoaded image: %s:latest\nLoaded image: %s:oci' "$E" "$E")"
	for id in $(berth images -q --no-trunc | sort -u); do
		"$PY" "$TOP/tests/lib/compare-stores.py" --no-refs --no-distribution "$B" "$T/rt" "$id" >"$T/cmp.out" || {
			ok=1; sed 's/^/# /' "$T/cmp.out" | head -20; }
	done
	t_ok "berth save | berth load: identical layers and images" test "$ok" = 0
	t_eq "same images listed" "$(BERTH_ROOT=$T/rt berth images)" "$(berth images)"
	berth save busybox | BERTH_ROOT=$T/pipe berth load -q >"$T/pipe.out" 2>&1
	t_eq "save to stdout piped into load" "$(cat "$T/pipe.out")" "Loaded image: busybox:latest"
	berth image save busybox | BERTH_ROOT=$T/pipe2 berth image load >"$T/pipe.out" 2>&1
	t_eq "image save | image load" "$(cat "$T/pipe.out")" "Loaded image: busybox:latest"
	local z
	for z in gzip zstd xz; do
		$z -c <"$T/b.tar" >"$T/b.tar.$z"
		BERTH_ROOT=$T/z-$z berth load <"$T/b.tar.$z" >/dev/null 2>&1
		t_eq "load of a $z-compressed archive" "$(BERTH_ROOT=$T/z-$z berth images -q | sort)" "$(berth images -q | sort)"
	done
	# The OCI layout alone (no manifest.json) loads the same images.
	mkdir -p "$T/oci" && tar -xf "$T/b.tar" -C "$T/oci" && rm "$T/oci/manifest.json" "$T/oci/repositories" &&
		tar -cf "$T/oci.tar" -C "$T/oci" .
	BERTH_ROOT=$T/oci-root berth load -i "$T/oci.tar" >/dev/null 2>&1
	t_eq "load of the OCI layout alone" "$(BERTH_ROOT=$T/oci-root berth images)" "$(berth images)"
	# Loading again reuses every layer and changes nothing.
	snapshot "$T/rt" >"$T/snap1"
	BERTH_ROOT=$T/rt berth load -i "$T/b.tar" >/dev/null 2>&1
	snapshot "$T/rt" >"$T/snap2"
	t_ok "loading the same archive again changes nothing" cmp -s "$T/snap1" "$T/snap2"
	# save by ID: untagged; load prints the ID
	id=$(berth images -q --no-trunc busybox)
	berth save "${id#sha256:}" | BERTH_ROOT=$T/byid berth load >"$T/byid.out" 2>&1
	t_eq "save by ID, load prints the image ID" "$(cat "$T/byid.out")" "Loaded image ID: $id"
	berth save -o "$T/x.tar" nosuch >"$T/err.out" 2>&1
	t_eq "save of a missing image" "$? $(cat "$T/err.out")" "1 Error response from daemon: No such image: nosuch"
	t_ok "no archive left behind" test ! -e "$T/x.tar"
	berth save -o "$T/x.tar" busybox:nosuch >"$T/err.out" 2>&1
	t_eq "save of a missing tag" "$? $(cat "$T/err.out")" "1 Error response from daemon: reference does not exist"
}

# ---- OCI tools read berth's archives ---------------------------------

skopeo_reads() {
	local want
	want=$(berth images -q --no-trunc "$E:oci")
	skopeo inspect --config --raw "docker-archive:$T/b.tar:$E:oci" >"$T/sk.cfg" 2>"$T/sk.err"
	t_eq "skopeo: docker-archive config is the image" "sha256:$(sha256sum <"$T/sk.cfg" | cut -c1-64)" "$want"
	skopeo copy -q "docker-archive:$T/b.tar:busybox:latest" "dir:$T/sk-dir" 2>"$T/sk.err"
	t_ok "skopeo copies from the docker-archive" test -s "$T/sk-dir/manifest.json"
	skopeo inspect --config --raw "oci-archive:$T/b.tar:oci" >"$T/sk2.cfg" 2>"$T/sk.err"
	t_eq "skopeo: oci-archive (ref name oci) config is the image" \
		"sha256:$(sha256sum <"$T/sk2.cfg" | cut -c1-64)" "$want"
	skopeo copy -q "oci-archive:$T/b.tar:latest" "dir:$T/sk-oci" 2>"$T/sk.err"
	t_ok "skopeo copies from the oci-archive" test -s "$T/sk-oci/manifest.json"
	# and berth loads what skopeo writes
	skopeo copy -q "docker-archive:$T/b.tar:$E:latest" "docker-archive:$T/sk-da.tar:sk/da:1" 2>"$T/sk.err"
	BERTH_ROOT=$T/sk-root berth load -i "$T/sk-da.tar" >"$T/skl.out" 2>&1
	t_eq "berth loads skopeo's docker-archive" "$(cat "$T/skl.out") $(BERTH_ROOT=$T/sk-root berth images -q --no-trunc)" \
		"Loaded image: sk/da:1 $(berth images -q --no-trunc "$E:latest")"
	skopeo copy -q "docker-archive:$T/b.tar:$E:oci" "oci-archive:$T/sk-oci.tar:example.com/sk/oci:2" 2>"$T/sk.err"
	BERTH_ROOT=$T/sk-root2 berth load -i "$T/sk-oci.tar" >"$T/skl.out" 2>&1
	t_eq "berth loads skopeo's oci-archive" "$(cat "$T/skl.out")" "Loaded image: example.com/sk/oci:2"
}

# ---- a changed layer file is caught -----------------------------------

tamper() {
	local chain cache f
	mkdir -p "$T/tamper" && cp -a "$B/." "$T/tamper/"
	chain=$(ls "$T/tamper/image/overlay2/layerdb/sha256" | head -n 1)
	cache=$(cat "$T/tamper/image/overlay2/layerdb/sha256/$chain/cache-id")
	f=$(cd "$T/tamper/overlay2/$cache/diff" && find . -type f -size +0 | head -n 1)
	printf 'X' >>"$T/tamper/overlay2/$cache/diff/$f"
	BERTH_ROOT=$T/tamper berth save "${IMGS[@]}" >"$T/t.tar" 2>"$T/t.err"
	t_ok "save of a tampered layer fails" test $? = 1
	t_ok "the error names the file (${f#./})" grep -q "file integrity checksum failed for \"${f#./}\"" "$T/t.err"
	t_diag "$(cat "$T/t.err")"
}

# ---- hostile archives --------------------------------------------------

hostile() {
	local c marker out before
	"$PY" "$TOP/tests/lib/hostile-archives.py" "$T/hostile" >"$T/cases" 2>"$T/marker" || return 1
	marker=$(sed -n 's/^MARKER //p' "$T/marker")
	BERTH_ROOT=$T/h berth load -i "$T/b.tar" >/dev/null 2>&1
	before=$(snapshot "$T/h")
	while read -r c; do
		BERTH_ROOT=$T/h berth load -i "$T/hostile/$c.tar" >"$T/h.out" 2>"$T/h.err"
		local rc=$?
		t_ok "hostile $c: refused ($(head -c 120 "$T/h.err"))" test "$rc" = 1 -a ! -s "$T/h.out"
		t_eq "hostile $c: one line" "$(wc -l <"$T/h.err")" 1
		t_ok "hostile $c: store unchanged" test "$(snapshot "$T/h")" = "$before"
	done <"$T/cases"
	t_ok "nothing written outside the root" bash -c "! ls -d $marker* /tmp/berth-escape-symlink 2>/dev/null"
	# 60 damaged copies of a good archive (bytes changed, cut short,
	# overwritten): each refused with one line, the store unchanged.
	"$PY" - "$T/b.tar" "$T/mut" <<'PY'
import os, random, sys
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
data = open(src, "rb").read()
rnd = random.Random(7)
for i in range(60):
    d = bytearray(data)
    if i % 3 == 0:
        for _ in range(rnd.randint(1, 8)):
            d[rnd.randrange(len(d))] = rnd.randrange(256)
    elif i % 3 == 1:
        d = d[:rnd.randrange(len(d))]
    else:
        p = rnd.randrange(len(d))
        d[p:p + 4096] = bytes(rnd.randrange(256) for _ in range(len(d[p:p + 4096])))
    open(f"{out}/{i}.tar", "wb").write(d)
PY
	local bad=0 m
	for m in "$T"/mut/*.tar; do
		BERTH_ROOT=$T/h berth load -i "$m" >"$T/h.out" 2>"$T/h.err"
		local rc=$?
		if [ "$rc" = 0 ]; then
			# a change that left every digest intact: still the same images
			[ "$(BERTH_ROOT=$T/h berth images -q | sort)" = "$(berth images -q | sort)" ] || { bad=$((bad + 1)); t_diag "$m loaded wrongly"; }
		elif [ "$rc" != 1 ] || [ "$(wc -l <"$T/h.err")" != 1 ] || [ "$(snapshot "$T/h")" != "$before" ]; then
			bad=$((bad + 1)); t_diag "$m: exit $rc: $(head -c 200 "$T/h.err")"
		fi
	done
	t_eq "60 damaged archives: refused with one line each, store unchanged" "$bad" 0
	BERTH_ROOT=$T/h2 berth load <"$T/hostile/second-image-bad.tar" >/dev/null 2>&1
	t_eq "a bad second image: the first is not added either" "$(BERTH_ROOT=$T/h2 berth images -q)" ""
}

# ---- kill -9 in the middle of a load -----------------------------------

interrupted() {
	local pid half
	half=$(( $(stat -c %s "$T/b.tar") / 2 ))
	mkfifo "$T/fifo"
	BERTH_ROOT=$T/k berth load -i "$T/fifo" >/dev/null 2>&1 &
	pid=$!
	# half the archive, then nothing until the kill
	(head -c "$half" "$T/b.tar"; sleep 30) >"$T/fifo" &
	local feeder=$!
	_t_track "$feeder"
	for _ in $(seq 100); do
		ls "$T/k/image/overlay2/layerdb/tmp" 2>/dev/null | grep -q incomplete && break
		sleep 0.1
	done
	sleep 0.5
	kill -9 "$pid"; wait "$pid" 2>/dev/null
	kill "$feeder" 2>/dev/null
	t_ok "a load killed with -9 left a half layer" bash -c "ls '$T/k/image/overlay2/layerdb/tmp' | grep -q incomplete"
	t_eq "  and no image" "$(BERTH_ROOT=$T/k berth images -q)" ""
	BERTH_ROOT=$T/k berth load -i "$T/b.tar" >/dev/null 2>&1
	t_eq "the next load completes" "$(BERTH_ROOT=$T/k berth images -q | sort)" "$(berth images -q | sort)"
	t_eq "  and removed the leftovers" "$(ls "$T/k/image/overlay2/layerdb/tmp" | wc -l)" 0
	t_eq "  one overlay2 dir per layer" "$(ls "$T/k/overlay2" | grep -vc '^l$')" \
		"$(ls "$T/k/image/overlay2/layerdb/sha256" | wc -l)"
}

# ---- docker ------------------------------------------------------------

with_docker() {
	refdocker_cfg ref "{\"registry-mirrors\": [\"http://$REGISTRY\"], \"insecure-registries\": [\"$REGISTRY\"]}"
	start_refdocker ref
	case $? in
	0) ;;
	2) t_skip "docker comparison" "dockerd not installed"; return 0 ;;
	*) t_ok "reference dockerd starts" false; return 0 ;;
	esac
	local r ok=0 id
	for r in "${IMGS[@]}"; do dk pull -q "$r" >/dev/null 2>&1 || ok=1; done
	t_ok "docker pulls the images" test "$ok" = 0
	DROOT=$T/docker-ref/root

	# docker save (20.10: the legacy layout, layer.tar symlinks) -> berth load
	dk save -o "$T/d.tar" "${IMGS[@]}"
	t_ok "docker's archive has layer.tar entries" bash -c "tar -tf '$T/d.tar' | grep -q /layer.tar"
	BERTH_ROOT=$T/dl berth load -i "$T/d.tar" >"$T/dl.out" 2>&1
	dk load -i "$T/d.tar" >"$T/dkl.out" 2>&1
	t_eq "load prints what docker load prints" "$(cat "$T/dl.out")" "$(cat "$T/dkl.out")"
	ok=0
	for id in $(dk images -q --no-trunc | sort -u); do
		"$PY" "$TOP/tests/lib/compare-stores.py" --no-refs --no-distribution "$DROOT" "$T/dl" "$id" >"$T/cmp.out" || {
			ok=1; sed 's/^/# /' "$T/cmp.out" | head -20; }
	done
	t_ok "docker save -> berth load: the store docker has" test "$ok" = 0
	# (equal creation times: docker's row order is random)
	t_eq "images of docker's archive" "$(BERTH_ROOT=$T/dl berth images --format '{{.Repository}} {{.Tag}} {{.ID}} {{.Size}}' | sort)" \
		"$(dk images --format '{{.Repository}} {{.Tag}} {{.ID}} {{.Size}}' | sort)"

	# berth save -> docker load into an empty docker
	for r in "${IMGS[@]}"; do dk rmi -f "$r" >/dev/null 2>&1; done
	dk load -i "$T/b.tar" >"$T/dkl2.out" 2>&1
	t_eq "docker load of berth's archive" "$(cat "$T/dkl2.out")" \
		"$(printf 'Loaded image: busybox:latest\nLoaded image: %s:latest\nLoaded image: %s:oci' "$E" "$E")"
	t_eq "the same image IDs" "$(dk images -q --no-trunc | sort -u)" "$(berth images -q --no-trunc | sort -u)"
	dk run --rm --network none busybox echo hello-from-berth-archive >"$T/run.out" 2>&1
	t_eq "a container runs from berth's archive" "$(cat "$T/run.out")" "hello-from-berth-archive"

	import_vs_docker
}

# ---- import ------------------------------------------------------------

norm_cfg() {	# the config without creation times and versions
	"$PY" -c 'import json,sys
c = json.load(open(sys.argv[1]))
c["created"] = c["docker_version"] = "X"
for h in c.get("history", []): h["created"] = "X"
print(json.dumps(c))' "$1"
}

# imp DESC ARGS... - berth import and docker import agree
imp() {
	local desc=$1; shift
	local bid did brc drc
	berth import "$@" >"$T/ib.out" 2>"$T/ib.err"; brc=$?
	dk import "$@" >"$T/id.out" 2>"$T/id.err"; drc=$?
	if [ "$brc$drc" != 00 ]; then
		# (docker quotes a whole HTML error page after the status)
		t_eq "import $desc: error" "$brc $(sed 's/berth/docker/g' "$T/ib.err")" \
			"$drc $(sed '/failed to GET/ { s/\(with status [0-9]*\) .*/\1/; q }' "$T/id.err")"
		return
	fi
	# (docker's progress for a download leaves an empty line when not on a terminal)
	t_eq "import $desc: output" "$(sed 's/sha256:.*/ID/' "$T/ib.out")" "$(sed '/^$/d; s/sha256:.*/ID/' "$T/id.out")"
	bid=$(tail -n 1 "$T/ib.out") did=$(tail -n 1 "$T/id.out")
	t_eq "import $desc: config" "$(norm_cfg "$B/image/overlay2/imagedb/content/sha256/${bid#sha256:}")" \
		"$(norm_cfg "$DROOT/image/overlay2/imagedb/content/sha256/${did#sha256:}")"
	# The images differ (creation time); their one layer must not.
	local diff
	diff=$(jq -r '.rootfs.diff_ids[0]' "$DROOT/image/overlay2/imagedb/content/sha256/${did#sha256:}")
	t_ok "import $desc: docker's layer ${diff:7:12} is in berth's store" \
		test -f "$B/image/overlay2/layerdb/sha256/${diff#sha256:}/tar-split.json.gz"
}

import_vs_docker() {
	mkdir -p "$T/src/etc" "$T/src/bin" "$T/src/d e"
	echo hi >"$T/src/etc/hello"; ln -s ../etc/hello "$T/src/bin/l"; echo x >"$T/src/d e/f"
	tar -C "$T/src" --owner=0 --group=0 -cf "$T/in.tar" .
	gzip -k "$T/in.tar"; xz -k "$T/in.tar"
	imp "FILE" "$T/in.tar"
	imp "FILE.gz REPO:TAG" "$T/in.tar.gz" imp/gz:1
	imp "FILE.xz REPO" "$T/in.tar.xz" imp/xz
	imp "-c (all instructions)" -c 'CMD ["/bin/sh","-c","echo"]' -c 'ENV A=1 B="x y"' -c 'ENV C $A-z' \
		-c 'EXPOSE 80 443/udp 8000-8002' -c 'LABEL a=b "c d"=e' -c 'USER nobody' -c 'VOLUME /data /x' \
		-c 'WORKDIR /w' -c 'WORKDIR sub' -c 'ONBUILD RUN echo hi' -c 'ENTRYPOINT /bin/true' "$T/in.tar" imp/changes
	imp "-c shell CMD -m" -c 'CMD echo hi' -m 'my message' "$T/in.tar"
	imp "-c exec ENTRYPOINT, VOLUME json" -c 'ENTRYPOINT ["a"]' -c 'VOLUME ["/v"]' "$T/in.tar"
	imp "-c RUN (error)" -c 'RUN echo' "$T/in.tar"
	imp "--platform foo/bar (error)" --platform foo/bar "$T/in.tar"
	imp "bad name (error)" "$T/in.tar" UPPER
	imp "digest name (error)" "$T/in.tar" "x@sha256:$(printf %064d 0)"
	imp "missing file (error)" /nonexist
	imp "no arguments (error)"
	echo garbage >"$T/garbage"
	imp "not a tar (error)" "$T/garbage"
	# a URL: both fetch it from a loopback HTTP server
	local port
	port=$(free_port)
	(cd "$T" && exec "$PY" -m http.server --bind 127.0.0.1 "$port" >"$T/http.log" 2>&1) &
	_t_track $!
	wait_http "http://127.0.0.1:$port/in.tar"
	imp "URL REPO:TAG" "http://127.0.0.1:$port/in.tar.gz" imp/url:1
	imp "URL 404 (error)" "http://127.0.0.1:$port/nosuch.tar"
	cp "$T/in.tar" "$T/stdin.tar"
	bid=$(berth import - imp/stdin <"$T/stdin.tar")
	did=$(dk import - imp/stdin <"$T/stdin.tar")
	t_eq "import - (stdin): config" "$(norm_cfg "$B/image/overlay2/imagedb/content/sha256/${bid#sha256:}")" \
		"$(norm_cfg "$DROOT/image/overlay2/imagedb/content/sha256/${did#sha256:}")"
}

setup || t_done
roundtrip
skopeo_reads
tamper
hostile
interrupted
with_docker
t_done
