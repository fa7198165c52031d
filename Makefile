# berth - one Makefile, no recursion.  `make` builds build/berth;
# `make check` installs test dependencies and runs the whole suite;
# `make demo` runs the main job end to end on a fresh machine.
CC      ?= cc
O       ?= build
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Werror=implicit-function-declaration
BCFLAGS  = -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread $(WARN) -Iinclude -Ilib $(SAN)
LIBS     = -lcurl -lcrypto -ljansson -lz -lzstd -llzma -lisal -pthread
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

all: $(O)/berth

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BCFLAGS) -MMD -MP -c -o $@ $<

$(O)/libberth.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/berth: $(CLI_OBJ) $(O)/libberth.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $(CLI_OBJ) $(O)/libberth.a $(LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(O)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(O)/libberth.a $(LIBS)

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

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

.PHONY: all tests deps check check-asan demo bench-pull clean
.SECONDARY:
