#!/usr/bin/env python3
"""tar-entries.py TAR - one line per tar entry, every header field the
layer code sets: name, type, mode, uid, gid, uname, gname, size, mtime,
linkname, device numbers and the PAX records (xattrs as hex), and whether
the entry had a PAX header.  Two tars with equal output have equal
entries, in order."""
import sys
import tarfile


def main():
    with tarfile.open(sys.argv[1], format=tarfile.PAX_FORMAT) as tf:
        for m in tf:
            pax = {}
            for k, v in sorted(m.pax_headers.items()):
                pax[k] = v.encode('utf-8', 'surrogateescape').hex() if k.startswith('SCHILY.xattr.') else v
            print(repr(m.name), m.type.decode(), oct(m.mode), m.uid, m.gid, repr(m.uname), repr(m.gname),
                  m.size, int(m.mtime), repr(m.linkname), m.devmajor, m.devminor, pax)


main()
