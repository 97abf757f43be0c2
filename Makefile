# maxconn build: one static library of modules (src/<layer>/*.c) and one thin
# binary (src/cli/). Plain make: no configure step, nothing to install but a C
# compiler and the -dev packages scripts/deps names.
#
#   make            build/maxconn
#   make unit       build and run the cmocka unit tests
#   make asan       the unit tests again under AddressSanitizer + UBSan
#   make integration  the shell tests in tests/integration (root, loopback/netns)
#   make structure  the shape rules of src/ (scripts/structure: no include
#                   cycle, no .c over 1,000 lines, no function over 150)
#   make check      all of the above with -Werror (what CI runs)

CC       ?= cc
OPT      ?= -O2 -g
WERROR   ?=
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wpointer-arith -Wundef \
            -Wcast-qual -Wwrite-strings -Wnull-dereference $(WERROR)
CPPFLAGS := -D_GNU_SOURCE -Isrc
CFLAGS   := -std=c11 $(OPT) $(WARN) -pthread
LDLIBS   := -luring -lmicrohttpd -lcurl -pthread -lm

B        ?= build
LIB_SRC  := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all unit asan integration structure check bench clean format
all: $(B)/maxconn

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libmaxconn.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/maxconn: $(CLI_OBJ) $(B)/libmaxconn.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests link the library and the CLI objects except main.o, so parsers
# that live in the command line layer are testable too.
$(B)/tests/%: tests/unit/%.c $(filter-out $(B)/src/cli/main.o,$(CLI_OBJ)) $(B)/libmaxconn.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $^ -lcmocka $(LDLIBS)

unit: $(TESTS)
	@sh tests/unit/run.sh $(TESTS)

asan:
	$(MAKE) B=build/asan OPT="-O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all" unit

integration: $(B)/maxconn
	@sh tests/integration/run.sh $(B)/maxconn

structure:
	@scripts/structure

check:
	@scripts/structure
	$(MAKE) --no-print-directory WERROR=-Werror all unit
	$(MAKE) --no-print-directory WERROR=-Werror asan
	$(MAKE) --no-print-directory WERROR=-Werror integration

bench: $(B)/maxconn
	@sh bench/run.sh $(B)/maxconn

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(TEST_SRC) $(wildcard src/*/*.h)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
