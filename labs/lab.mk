# lab.mk - the shared make fragment for every lab.
#
# A lab's Makefile sets three things and includes this file:
#
#     LAB          := 01-tcp-echo                 # the lab folder's name
#     PROGRAMS     := echo_server echo_client     # one src/P.c per program
#     LDLIBS_EXTRA := -lcrypto                    # only where a lab needs a library
#     include ../lab.mk
#
# Program P is built into build/P from src/P.c plus every other src/*.c that is not named
# after another program of the lab (your shared helpers), with the headers in src/. The
# flags are exactly the ones the grader uses, so what builds here builds there.
#
#     make                 build every program into build/
#     make grade           grade this lab (ARGS="--check ID -v" and so on are passed on)
#     make test            build and run the lab's unit tests in tests/, if it has any
#     make clean           remove build/

ifndef LAB
$(error set LAB := NN-name in the lab's Makefile before including lab.mk)
endif
ifndef PROGRAMS
$(error set PROGRAMS := prog1 prog2 in the lab's Makefile before including lab.mk)
endif

# The kit's top folder, found from this file's own location.
KIT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
WIRELAB  := $(KIT_ROOT)/bin/wirelab

# The kit's recipe for students' programs, from the grader's own file (grader/recipe).
# Not `CFLAGS ?=`: the grader ignores
# anything else, so building differently here would only hide surprises.
CC          := cc
LAB_CFLAGS  := $(shell cat $(KIT_ROOT)/grader/recipe)
LAB_LDLIBS  := $(LDLIBS_EXTRA)

PROGRAM_SRCS := $(PROGRAMS:%=src/%.c)
HELPER_SRCS  := $(filter-out $(PROGRAM_SRCS),$(sort $(wildcard src/*.c)))
HEADERS      := $(sort $(wildcard src/*.h))
BINS         := $(PROGRAMS:%=build/%)

TEST_SRCS    := $(sort $(wildcard tests/*.c))
TEST_BINS    := $(TEST_SRCS:tests/%.c=build/tests/%)

.PHONY: all grade test clean
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

all: $(BINS)

# One static pattern rule per program: its own file, the helpers, and every header.
$(BINS): build/%: src/%.c $(HELPER_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LAB_CFLAGS) -o $@ $(strip $< $(HELPER_SRCS) $(LAB_LDLIBS))

# The grader builds from src/ itself with the same recipe; we only make sure the kit
# (bin/wirelab) is built and up to date first.
grade:
	@$(MAKE) --no-print-directory -C $(KIT_ROOT) all
	$(WIRELAB) grade $(LAB) $(ARGS)

# Unit tests (Criterion) for the lab's helpers: each tests/T.c is linked with the helpers.
test: $(TEST_BINS)
ifeq ($(TEST_SRCS),)
	@echo "$(LAB) has no unit tests (tests/*.c); try 'make grade'"
else
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; ./$$t; done
endif

build/tests/%: tests/%.c $(HELPER_SRCS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(LAB_CFLAGS) -Isrc -o $@ $(strip $< $(HELPER_SRCS) $(LAB_LDLIBS)) -lcriterion

clean:
	rm -rf build
