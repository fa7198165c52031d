# berth - one Makefile, no recursion.  `make` builds build/berth;
# `make check` installs test dependencies and runs the whole suite;
# `make demo` runs the main job end to end on a fresh machine.
# `make` alone builds berth: the order-only rule on $(CLI_OBJ) below would
# otherwise be the first target.
.DEFAULT_GOAL := all
CC      ?= cc
O       ?= build
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Werror=implicit-function-declaration
BCFLAGS  = -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread $(WARN) -Iinclude $(PRIV_INC) $(SAN)
PRIV_INC = -Ilib
LIBS     = -ljansson -lz -lzstd -llzma -lisal -lseccomp -pthread
ifeq ($(SANITIZE),1)
  SAN    = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  O      = build-asan
endif

LIB_SRC  = $(sort $(wildcard lib/*.c lib/*/*.c lib/*/*/*.c))
CLI_SRC  = $(sort $(wildcard cli/*.c))
TEST_SRC = $(sort $(wildcard tests/unit/test-*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(O)/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(O)/tests/%)

# The CLI is held to the public API (include/berth/): it is compiled
# without -Ilib, against a directory that holds only the library headers
# it may borrow (as curl's tool borrows only the curlx_* helpers), so
# including any other private header, directly or through a borrowed one,
# fails the build.  tests/static/cli-boundary.sh pins the list.  Why each:
#   format/template.h  Go text/template for --format: the docker CLI's
#                      client-side formatting, which no Engine API serves
#   format/gojson.h    Go's encoding/json bytes ({{json .}} rows, info's maps)
#   util/sbuf.h        the buffer those two write into, and the aborting
#                      allocators (xmalloc...) the CLI shares with the library
#   util/err.h         template.h's own name for <berth/error.h>, nothing more
CLI_BORROWED = format/template.h format/gojson.h util/sbuf.h util/err.h
BORROW_DIR   = $(O)/cli-borrowed
$(CLI_OBJ): PRIV_INC = -I$(BORROW_DIR)
$(CLI_OBJ): | $(BORROW_DIR)/.stamp

all: $(O)/berth

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BCFLAGS) -MMD -MP -c -o $@ $<

$(BORROW_DIR)/.stamp: Makefile
	@rm -rf $(BORROW_DIR)
	@for h in $(CLI_BORROWED); do mkdir -p $(BORROW_DIR)/$$(dirname $$h) && \
		ln -sr lib/$$h $(BORROW_DIR)/$$h || exit 1; done
	@touch $@

$(O)/libberth.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/berth: $(CLI_OBJ) $(O)/libberth.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $(CLI_OBJ) $(O)/libberth.a $(LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(O)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(O)/libberth.a $(LIBS)

# the run/create flag parser's driver links the CLI's object (tests/cli/t0805)
$(O)/tests/test-runflags: $(O)/tests/unit/test-runflags.o $(O)/cli/runflags.o $(O)/libberth.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS)

# the registry client's test asks libcurl itself about transfers; berth
# loads libcurl on first use (lib/registry/curl_lazy.c) and links none
$(O)/tests/test-registry: $(O)/tests/unit/test-registry.o $(O)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(O)/libberth.a $(LIBS) -lcurl

# these compare berth's digests with OpenSSL's, which they link
$(O)/tests/test-tar $(O)/tests/test-tarsplit $(O)/tests/test-digest: $(O)/tests/%: $(O)/tests/unit/%.o $(O)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(O)/libberth.a $(LIBS) -lcrypto

tests: $(TESTS)

deps:
	bash tests/lib/install-deps.sh

check: deps
	$(MAKE) all tests
	bash tests/run.sh $(O)

check-asan:
	$(MAKE) SANITIZE=1 all tests
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 bash tests/run.sh build-asan

demo: deps all
	bash scripts/demo.sh

bench-pull: all
	bash bench/pull

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(O)/tests/unit/%.d)

.PHONY: all tests deps check check-asan demo bench-pull clean
.SECONDARY:
