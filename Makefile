# Wirelab: build the kit, grade the labs, test the kit.
#   make            build bin/wirelab
#   make grade      build everything and grade your labs/ tree
#   make test       the kit's own tests (unit, solutions, stubs, mutants, real peers, sanitizers)
#   make deps       install missing system packages (apt-get; sudo when not root)
#   make handout    dist/wirelab-student.tar.gz: the kit without solutions, for students
#   make gradescope dist/gradescope-autograder.zip (COURSE=FILE.json names the labs)
#   make classroom  dist/classroom/: a GitHub Classroom template (GRADER_REPO=, GRADER_TAG=,
#                   GRADER_COMMIT=, LABS=)
#   make stability  every verdict N times with one core busy (N=20, LABS="00 01"; long)

CC      ?= cc
SAN     ?=
PKGS    := libpcap libcjson libseccomp
# The kit's own code; student code is built by the grader with the lab recipe instead.
KIT_CFLAGS := -std=c17 -D_POSIX_C_SOURCE=200809L -O2 -g -Wall -Wextra -Wshadow \
              -Wformat=2 -Werror -pthread -Iharness -Igrader \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Students' programs are built with grader/recipe, the one place it is written: built into
# the grader here, read by labs/lab.mk and the tests.
RECIPE     := $(shell cat grader/recipe)
KIT_CFLAGS += -DWIRELAB_RECIPE='"$(RECIPE)"'
KIT_LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lcjson -lseccomp) -pthread -lcrypto

ifeq ($(SAN),1)
BUILD      := build/san
KIT_CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
KIT_LDLIBS += -fsanitize=address,undefined
BIN        := $(BUILD)/wirelab
else
BUILD      := build/kit
BIN        := bin/wirelab
endif

HARNESS_SRC := $(wildcard harness/*.c)
GRADER_SRC  := $(wildcard grader/*.c grader/*/*.c)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/%.o)
GRADER_OBJ  := $(GRADER_SRC:%.c=$(BUILD)/%.o)
TEST_SRC    := $(wildcard tests/test_*.c)
TEST_BIN    := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all grade test unit deps clean
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/grader/build.o: grader/recipe

$(BUILD)/libharness.a: $(HARNESS_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(GRADER_OBJ) $(BUILD)/libharness.a
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) -o $@ $(GRADER_OBJ) $(BUILD)/libharness.a $(KIT_LDLIBS)

# Tests link the harness and the grader (less its main) with Criterion.
$(BUILD)/tests/%: tests/%.c $(BUILD)/libharness.a $(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJ))
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) -Itests -MMD -MP -o $@ $< $(filter-out $(BUILD)/grader/main.o,$(GRADER_OBJ)) \
		$(BUILD)/libharness.a $(KIT_LDLIBS) -lcriterion

deps:
	@tools/deps.sh

# Failing checks are the report's news, not make's: only a grader error (exit 2) fails here.
grade: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) grade all; st=$$?; [ $$st -le 1 ]

unit: $(TEST_BIN)

# The kit's hostile submissions, graded as root and as an ordinary user (run as root).
.PHONY: hostile
hostile: all
	@tests/hostile/run.sh $(HOSTILE_ARGS)

test: deps
	@tools/run-tests.sh

# Every verdict N times with one core busy (long: not part of make test).
.PHONY: stability
stability: all
	@tools/stability.py -n $(or $(N),20) $(LABS)

clean:
	rm -rf build bin

.PHONY: handout gradescope classroom
handout:
	@tools/handout.sh dist/wirelab-student.tar.gz

gradescope:
	@tools/gradescope/bundle.sh dist/gradescope-autograder.zip $(COURSE)

classroom:
	@tools/classroom/template.sh dist/classroom "$(GRADER_REPO)" "$(GRADER_TAG)" "$(GRADER_COMMIT)" $(LABS)

-include $(shell find build -name '*.d' 2>/dev/null)
